using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// Append logs as append blobs of the registry's container, under <c>logs/</c>: an append is one
/// append block, which Azure applies whole or not at all. An append blob holds at most 50,000 blocks;
/// past that the writer is told (<see cref="AppendLogFullException"/>) and begins another log.
/// </summary>
public sealed class AzureAppendLogStore(BlobContainerClient container) : IAppendLogStore
{
    private const string Prefix = "logs/";
    private const string BlockCountExceedsLimit = "BlockCountExceedsLimit";

    public static AzureAppendLogStore Create(AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var service = options.Retry.CreateServiceClient(options.ConnectionString, options.ServiceUri);
        return new AzureAppendLogStore(service.GetBlobContainerClient(options.ContainerName));
    }

    public async Task AppendAsync(string name, ReadOnlyMemory<byte> records, CancellationToken cancellationToken)
    {
        AppendLogNames.CheckAppend(records);
        var blob = container.GetAppendBlobClient(Prefix + AppendLogNames.Checked(name));
        try
        {
            try
            {
                await AppendBlockAsync(blob, records, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException missing) when (AzureErrors.IsNotFound(missing))
            {
                await CreateAsync(blob, cancellationToken).ConfigureAwait(false);
                await AppendBlockAsync(blob, records, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException full) when (full.ErrorCode == BlockCountExceedsLimit)
        {
            throw new AppendLogFullException(name, full);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "appending to the log", blob.Name);
        }
    }

    public async IAsyncEnumerable<AppendLogInfo> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new GetBlobsOptions { Prefix = Prefix + AppendLogNames.CheckedPrefix(prefix) };
        if (!await ContainerExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            // Nothing was ever written.
            yield break;
        }

        await foreach (var item in AzureListing.ListAsync(container, options, cancellationToken).ConfigureAwait(false))
        {
            var name = item.Name[Prefix.Length..];
            if (AppendLogNames.IsValid(name))
            {
                yield return new AppendLogInfo(name, item.Properties.ContentLength ?? 0, AzureListing.LastWrite(item));
            }
        }
    }

    private async Task<bool> ContainerExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await container.ExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "listing the logs", container.Name);
        }
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        var blob = container.GetAppendBlobClient(Prefix + AppendLogNames.Checked(name));
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException missing) when (AzureErrors.IsNotFound(missing))
        {
            throw new BlobNotFoundException(name);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "reading the log", blob.Name);
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var blob = container.GetAppendBlobClient(Prefix + AppendLogNames.Checked(name));
        try
        {
            await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "deleting the log", blob.Name);
        }
    }

    private static async Task AppendBlockAsync(AppendBlobClient blob, ReadOnlyMemory<byte> records, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(records.ToArray(), writable: false);
        await blob.AppendBlockAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateAsync(AppendBlobClient blob, CancellationToken cancellationToken)
    {
        // Once per log: the container may not exist yet when the first log begins.
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await blob.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
