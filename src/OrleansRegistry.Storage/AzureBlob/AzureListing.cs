using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>Lists a container page by page, a failed request surfacing as an <see cref="IOException"/> that names the prefix.</summary>
internal static class AzureListing
{
    public static async IAsyncEnumerable<BlobItem> ListAsync(
        BlobContainerClient container, GetBlobsOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listing = container.GetBlobsAsync(options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (listing.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await listing.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
                {
                    throw AzureErrors.ToIOException(exception, "listing", options.Prefix);
                }

                yield return listing.Current;
            }
        }
    }

    /// <summary>When a listed blob was last written, for expiry (its creation when Azure gives no modification time).</summary>
    public static DateTimeOffset LastWrite(BlobItem item) => item.Properties.LastModified ?? item.Properties.CreatedOn ?? DateTimeOffset.UnixEpoch;
}
