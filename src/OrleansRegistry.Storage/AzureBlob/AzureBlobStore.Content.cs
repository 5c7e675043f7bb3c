using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>Content: manifests put in one request, lengths, ranged reads and deletes of committed blobs.</summary>
public sealed partial class AzureBlobStore
{
    /// <summary>Stores the content in one request; content already there (or racing in) is left as it is.</summary>
    public async Task<BlobLocation> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var location = AzureBlobNames.ContentLocation(digest);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlockBlobClient(location.Value);
        try
        {
            using var stream = new BinaryData(content).ToStream();
            await blob.UploadAsync(stream, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = OctetStream },
                Metadata = new Dictionary<string, string> { [DigestKey] = digest.ToString() },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (AzureErrors.IsConditionFailure(exception))
        {
            // Already stored: content under a digest is immutable.
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "storing", location.Value);
        }

        return location;
    }

    /// <summary>Committed uploads (their digest is in their metadata) and content put under <c>blobs/</c>.</summary>
    public async IAsyncEnumerable<StoredContent> ListContentAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        foreach (var prefix in new[] { AzureBlobNames.UploadsPrefix, AzureBlobNames.BlobsPrefix })
        {
            var options = new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata };
            await foreach (var item in AzureListing.ListAsync(container, options, cancellationToken).ConfigureAwait(false))
            {
                if (item.Metadata.TryGetValue(DigestKey, out var digest) && (prefix == AzureBlobNames.BlobsPrefix || IsContent(item.Metadata)))
                {
                    yield return new StoredContent(new BlobLocation(item.Name), digest, item.Properties.ContentLength ?? 0, AzureListing.LastWrite(item));
                }
            }
        }
    }

    public async Task<long?> GetLengthAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        var name = AzureBlobNames.BlobOf(location, out var isUpload);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var properties = await container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return !isUpload || IsContent(properties.Value.Metadata) ? properties.Value.ContentLength : null;
        }
        catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
        {
            return null;
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "reading the properties", name);
        }
    }

    /// <summary>One GET of exactly the range, streamed; an upload blob counts only once committed.</summary>
    public async Task<Stream> OpenReadAsync(BlobLocation location, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(length));
        }

        var name = AzureBlobNames.BlobOf(location, out var isUpload);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlobClient(name);
        try
        {
            if (length == 0)
            {
                // Azure answers no range of zero bytes; only existence and the bounds matter.
                var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                EnsureContent(isUpload, properties.Value.Metadata, location);
                EnsureInside(offset, 0, properties.Value.ContentLength);
                return new MemoryStream([], writable: false);
            }

            var download = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken)
                .ConfigureAwait(false);
            var details = download.Value.Details;
            var stream = download.Value.Content;
            try
            {
                EnsureContent(isUpload, details.Metadata, location);
                var stored = StoredLength(details.ContentRange) ?? details.ContentLength;
                EnsureInside(offset, length ?? stored - offset, stored);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return stream;
        }
        catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
        {
            throw new BlobNotFoundException(location.Value);
        }
        catch (RequestFailedException exception) when (exception.Status == AzureErrors.RangeNotSatisfiable)
        {
            // The range starts at or past the end: fine only when it asks for nothing from the very end.
            BlobProperties? found;
            try
            {
                found = await GetPropertiesOrNullAsync(blob, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (AzureErrors.IsAzureFailure(failure))
            {
                throw AzureErrors.ToIOException(failure, "reading the properties", name);
            }

            var properties = found ?? throw new BlobNotFoundException(location.Value);
            EnsureContent(isUpload, properties.Metadata, location);
            EnsureInside(offset, length ?? 0, properties.ContentLength);
            if (length is null && offset == properties.ContentLength)
            {
                return new MemoryStream([], writable: false);
            }

            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes from {offset} are outside content of {properties.ContentLength} bytes");
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "reading", name);
        }
    }

    public async Task DeleteAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        var name = AzureBlobNames.BlobOf(location, out _);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "deleting", name);
        }
    }
}
