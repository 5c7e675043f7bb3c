using System.Buffers;
using Azure.Storage.Blobs.Specialized;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// One chunk attempt: cuts the bytes written into blocks of the configured size, in buffers rented
/// from the shared array pool, and stages each block on the upload's block blob under a block id of
/// this attempt (<c>&lt;attempt&gt;-&lt;index&gt;</c>), so a retried or racing attempt never overwrites
/// another's blocks. While up to <c>MaxConcurrentStages</c> blocks are on the wire, the caller keeps
/// filling the next one. A block is durable once its stage request returns.
/// Disposing without <see cref="CompleteAsync"/> stages nothing more; blocks already staged stay
/// uncommitted until the upload blob is deleted (janitor) or Azure drops them after 7 days.
/// </summary>
internal sealed class AzureStagingWriter(BlockBlobClient blob, int blockSize, int maxConcurrentStages) : IStagingWriter
{
    private readonly string attempt = AzureBlobNames.NewAttempt();
    private readonly List<string> parts = [];
    private readonly Queue<Task> inFlight = new();
    private byte[]? buffer;
    private int filled;
    private string[]? completedParts;
    private bool failed;
    private bool disposed;

    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        try
        {
            while (!data.IsEmpty)
            {
                buffer ??= ArrayPool<byte>.Shared.Rent(blockSize);
                var count = Math.Min(blockSize - filled, data.Length);
                data.Span[..count].CopyTo(buffer.AsSpan(filled));
                filled += count;
                Length += count;
                data = data[count..];
                if (filled == blockSize)
                {
                    await StageBufferAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            failed = true;
            throw;
        }
    }

    public async Task<IReadOnlyList<string>> CompleteAsync(CancellationToken cancellationToken)
    {
        if (completedParts is not null)
        {
            return completedParts;
        }

        ThrowIfUnusable();
        try
        {
            if (filled > 0)
            {
                await StageBufferAsync(cancellationToken).ConfigureAwait(false);
            }

            while (inFlight.TryDequeue(out var stage))
            {
                await stage.ConfigureAwait(false);
            }
        }
        catch
        {
            failed = true;
            throw;
        }

        ReturnBuffer();
        completedParts = [.. parts];
        return completedParts;
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;

        // The stages still running own their buffers; wait for them so every buffer goes back to the pool.
        while (inFlight.TryDequeue(out var stage))
        {
            try
            {
                await stage.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The attempt is abandoned; its failure was (or never needs to be) reported.
            }
        }

        ReturnBuffer();
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (completedParts is not null)
        {
            throw new InvalidOperationException("the staging writer is already completed");
        }

        if (failed)
        {
            throw new InvalidOperationException("the staging writer failed earlier; start a new attempt");
        }
    }

    /// <summary>Hands the filled buffer to a stage request, after waiting for a free stage slot.</summary>
    private async ValueTask StageBufferAsync(CancellationToken cancellationToken)
    {
        if (parts.Count >= AzureBlobNames.MaxBlocksPerAttempt)
        {
            throw new InvalidOperationException($"one attempt can stage at most {AzureBlobNames.MaxBlocksPerAttempt} blocks");
        }

        while (inFlight.Count >= maxConcurrentStages)
        {
            await inFlight.Dequeue().ConfigureAwait(false);
        }

        var part = AzureBlobNames.Part(attempt, parts.Count);
        var block = buffer!;
        var count = filled;
        buffer = null;
        filled = 0;
        parts.Add(part);
        inFlight.Enqueue(StageAsync(part, block, count, cancellationToken));
    }

    private async Task StageAsync(string part, byte[] block, int count, CancellationToken cancellationToken)
    {
        try
        {
            // A seekable stream of known length: the request carries Content-Length, and the SDK can
            // rewind it to retry a failed request.
            using var content = new MemoryStream(block, 0, count, writable: false);
            await blob.StageBlockAsync(AzureBlobNames.BlockIdOf(part), content, options: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "staging a block", blob.Name);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    private void ReturnBuffer()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
            filled = 0;
        }
    }
}
