using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// An upload's journal as an append blob (<c>journals/&lt;uploadId&gt;</c>): one append block per
/// record, each conditional on the blob's length being the caller's position, so of two writers
/// with the same view exactly one appends. Azure applies a block whole or not at all.
/// </summary>
internal sealed class AzureUploadJournal(BlobContainerClient container)
{
    private const string AppendPositionNotMet = "AppendPositionConditionNotMet";

    public async Task<UploadJournal> ReadAsync(string uploadId, CancellationToken cancellationToken)
    {
        var name = AzureBlobNames.JournalBlob(uploadId);
        try
        {
            var content = await container.GetAppendBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return JournalFraming.Parse(content.Value.Content.ToMemory().Span);
        }
        catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
        {
            return UploadJournal.Empty;
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "reading the journal", name);
        }
    }

    public async Task<long> AppendAsync(string uploadId, long position, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var name = AzureBlobNames.JournalBlob(uploadId);
        var framed = JournalFraming.Frame(record.Span);
        var journal = container.GetAppendBlobClient(name);
        try
        {
            if (position == 0)
            {
                await journal.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            using var stream = new MemoryStream(framed, writable: false);
            await journal.AppendBlockAsync(stream, new AppendBlobAppendBlockOptions
            {
                Conditions = new AppendBlobRequestConditions { IfAppendPositionEqual = position },
            }, cancellationToken).ConfigureAwait(false);
            return position + framed.Length;
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == AppendPositionNotMet)
        {
            throw new UploadJournalConflictException(uploadId, position);
        }
        catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
        {
            // Deleted with the upload's staging (cancelled or expired).
            throw new BlobNotFoundException(name);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "appending to the journal", name);
        }
    }

    public async Task DeleteAsync(string uploadId, CancellationToken cancellationToken)
    {
        var name = AzureBlobNames.JournalBlob(uploadId);
        try
        {
            await container.GetAppendBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "deleting the journal", name);
        }
    }

    /// <summary>Every journal, with its last write: a finished upload's blob is content and not listed, its journal is.</summary>
    public async IAsyncEnumerable<StagedUpload> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = new GetBlobsOptions { Prefix = AzureBlobNames.JournalsPrefix };
        await foreach (var item in AzureListing.ListAsync(container, options, cancellationToken).ConfigureAwait(false))
        {
            if (AzureBlobNames.UploadIdOf(item.Name, AzureBlobNames.JournalsPrefix) is { } uploadId)
            {
                yield return new StagedUpload(uploadId, AzureListing.LastWrite(item));
            }
        }
    }
}
