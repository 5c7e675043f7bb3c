using System.Diagnostics;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Server.Telemetry;

/// <summary>
/// Wraps the real <see cref="IBlobStore"/> and records every operation's latency in
/// <c>registry_storage_operation_duration_seconds{provider,operation,outcome}</c>. Reads are timed
/// until the stream is open (time to first byte), not while the client drains it; a staging write
/// is timed per buffer written. A missing blob (<see cref="BlobNotFoundException"/>) and a chunk
/// refused because another one holds the upload (<see cref="StagingConflictException"/>) or a stale
/// journal position (<see cref="UploadJournalConflictException"/>) are
/// answers, not storage errors, and count as successes. Optional capabilities of the inner store
/// (<see cref="IBlobRedirects"/>) are offered by the wrapper exactly when the inner store has them:
/// create it with <see cref="Wrap"/>.
/// </summary>
public class InstrumentedBlobStore : IBlobStore
{
    private readonly IBlobStore inner;
    private readonly string provider;
    private readonly RegistryMetrics metrics;

    private InstrumentedBlobStore(IBlobStore inner, string provider, RegistryMetrics metrics)
    {
        this.inner = inner;
        this.provider = provider;
        this.metrics = metrics;
    }

    public IBlobStore Inner => inner;

    /// <summary>The instrumented store; it is an <see cref="IBlobRedirects"/> when <paramref name="inner"/> is one.</summary>
    public static InstrumentedBlobStore Wrap(IBlobStore inner, string provider, RegistryMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return inner is IBlobRedirects redirects
            ? new WithRedirects(inner, redirects, provider, metrics)
            : new InstrumentedBlobStore(inner, provider, metrics);
    }

    public async ValueTask<IStagingWriter> BeginStagingAsync(string uploadId, long committedLength, CancellationToken cancellationToken)
    {
        var writer = await TimeAsync("begin_staging", () => inner.BeginStagingAsync(uploadId, committedLength, cancellationToken).AsTask());
        return new InstrumentedStagingWriter(writer, this);
    }

    public Task<Stream> OpenStagedAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken) =>
        TimeAsync("open_staged", () => inner.OpenStagedAsync(uploadId, parts, cancellationToken));

    public Task<BlobLocation> CommitAsync(string uploadId, IReadOnlyList<string> parts, long length, Digest digest, CancellationToken cancellationToken) =>
        TimeAsync("commit", () => inner.CommitAsync(uploadId, parts, length, digest, cancellationToken));

    public Task DeletePartsAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken) =>
        TimeAsync("delete_parts", () => inner.DeletePartsAsync(uploadId, parts, cancellationToken));

    public Task<long> AppendJournalAsync(string uploadId, long position, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        TimeAsync("append_journal", () => inner.AppendJournalAsync(uploadId, position, record, cancellationToken));

    public Task<UploadJournal> ReadJournalAsync(string uploadId, CancellationToken cancellationToken) =>
        TimeAsync("read_journal", () => inner.ReadJournalAsync(uploadId, cancellationToken));

    public Task DeleteStagingAsync(string uploadId, CancellationToken cancellationToken) =>
        TimeAsync("delete_staging", () => inner.DeleteStagingAsync(uploadId, cancellationToken));

    public async IAsyncEnumerable<StagedUpload> ListStagedUploadsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The listing is timed as a whole, the caller's work between items included: it runs in the janitor only.
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            await foreach (var staged in inner.ListStagedUploadsAsync(cancellationToken))
            {
                yield return staged;
            }

            succeeded = true;
        }
        finally
        {
            Record("list_staged", started, succeeded);
        }
    }

    public Task<BlobLocation> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        TimeAsync("put", () => inner.PutAsync(digest, content, cancellationToken));

    public Task<long?> GetLengthAsync(BlobLocation location, CancellationToken cancellationToken) =>
        TimeAsync("get_length", () => inner.GetLengthAsync(location, cancellationToken));

    public Task<Stream> OpenReadAsync(BlobLocation location, long offset, long? length, CancellationToken cancellationToken) =>
        TimeAsync("open_read", () => inner.OpenReadAsync(location, offset, length, cancellationToken));

    public IAsyncEnumerable<StoredContent> ListContentAsync(CancellationToken cancellationToken) => inner.ListContentAsync(cancellationToken);

    public Task DeleteAsync(BlobLocation location, CancellationToken cancellationToken) =>
        TimeAsync("delete", () => inner.DeleteAsync(location, cancellationToken));

    internal async Task<T> TimeAsync<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            var result = await call();
            succeeded = true;
            return result;
        }
        catch (Exception answer) when (answer is BlobNotFoundException or StagingConflictException or UploadJournalConflictException)
        {
            succeeded = true;
            throw;
        }
        finally
        {
            Record(operation, started, succeeded);
        }
    }

    internal async Task TimeAsync(string operation, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            await call();
            succeeded = true;
        }
        catch (Exception answer) when (answer is BlobNotFoundException or StagingConflictException or UploadJournalConflictException)
        {
            succeeded = true;
            throw;
        }
        finally
        {
            Record(operation, started, succeeded);
        }
    }

    internal void Record(string operation, long started, bool succeeded) =>
        metrics.StorageOperation(provider, operation, Stopwatch.GetElapsedTime(started), succeeded);

    /// <summary>The wrapper of a store that offers redirects; signing a URL is timed as <c>read_url</c>.</summary>
    private sealed class WithRedirects(IBlobStore inner, IBlobRedirects redirects, string provider, RegistryMetrics metrics)
        : InstrumentedBlobStore(inner, provider, metrics), IBlobRedirects
    {
        public async ValueTask<Uri?> GetReadUrlAsync(BlobLocation location, TimeSpan lifetime, CancellationToken cancellationToken) =>
            await TimeAsync("read_url", () => redirects.GetReadUrlAsync(location, lifetime, cancellationToken).AsTask());
    }

    private sealed class InstrumentedStagingWriter(IStagingWriter inner, InstrumentedBlobStore store) : IStagingWriter
    {
        public long Length => inner.Length;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            var succeeded = false;
            try
            {
                await inner.WriteAsync(data, cancellationToken);
                succeeded = true;
            }
            finally
            {
                store.Record("stage_write", started, succeeded);
            }
        }

        public Task<IReadOnlyList<string>> CompleteAsync(CancellationToken cancellationToken) =>
            store.TimeAsync("stage_complete", () => inner.CompleteAsync(cancellationToken));

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
