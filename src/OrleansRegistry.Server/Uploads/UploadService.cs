using System.Buffers;
using Microsoft.Extensions.Options;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.References;
using OrleansRegistry.Grains.Blobs;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Uploads;

/// <summary>
/// Every way a blob arrives (monolithic POST, POST+PUT, PATCH chunks, streamed PATCH, mount)
/// ends here: bytes stream from the request to storage and through the resumable SHA-256,
/// the upload grain records each chunk, and the final PUT verifies the digest before the
/// bytes become visible under it.
/// </summary>
public sealed class UploadService(
    IGrainFactory grains, IBlobStore store, IOptions<RegistryOptions> options, TimeProvider clock, RegistryMetrics metrics)
{
    // Large reads keep storage writes and hash calls few; pooled so a push allocates nothing per chunk.
    private const int BufferSize = 1024 * 1024;

    // A read returns once this much has arrived (up to BufferSize), so storage starts writing a
    // chunk's bytes while its first MiB is still on the way: every chunk pays that wait, not only the first.
    private const int MinimumRead = 256 * 1024;

    public async Task<(string UploadId, UploadSnapshot Upload)> StartAsync(string repository, CancellationToken cancellationToken)
    {
        var uploadId = UploadId.New();
        var upload = await Session(uploadId).Start(repository);

        // An empty attempt marks the upload in storage, so that an upload abandoned before its
        // first byte is still found and expired by the janitor.
        await using (var marker = await store.BeginStagingAsync(uploadId, 0, cancellationToken))
        {
            await marker.CompleteAsync(cancellationToken);
        }

        return (uploadId, upload);
    }

    public async Task<UploadSnapshot> GetAsync(string repository, string uploadId)
    {
        var upload = await Session(uploadId).GetStatus(repository);
        return upload is null || upload.CompletedDigest is not null
            ? throw new OciException(OciErrorCode.BlobUploadUnknown, detail: uploadId)
            : upload;
    }

    /// <summary>
    /// Streams one chunk into the upload. <paramref name="range"/> is the chunk's Content-Range
    /// when the client sent one: it must start at the committed length (416 otherwise) and the
    /// body must be exactly that long.
    /// </summary>
    public async Task<UploadSnapshot> AppendAsync(
        string repository, string uploadId, Stream body, (long Start, long End)? range, CancellationToken cancellationToken)
    {
        var upload = await GetAsync(repository, uploadId);
        if (range is { } r && r.Start != upload.Length)
        {
            throw new UploadOffsetMismatchException(upload);
        }

        var start = upload.Length;
        var maxBlob = options.Value.MaxBlobBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        using var streaming = new CancellationTokenSource();
        using var inProgress = metrics.UploadStarted();
        _ = KeepAliveAsync(Session(uploadId), streaming.Token);
        try
        {
            await using var writer = await BeginStagingAsync(repository, uploadId, upload, cancellationToken);

            // Read again now that the attempt holds the staging: a chunk that committed in between
            // moved the offset, and this one must not be staged over it.
            upload = await GetAsync(repository, uploadId);
            if (upload.Length != start)
            {
                throw new UploadOffsetMismatchException(upload);
            }

            var hash = upload.HashState.Length == 0
                ? ResumableHash.Create(DigestAlgorithm.Sha256)
                : ResumableHash.Restore(DigestAlgorithm.Sha256, upload.HashState);
            while (true)
            {
                var read = await body.ReadAtLeastAsync(buffer, MinimumRead, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                if (maxBlob is { } max && upload.Length + writer.Length + read > max)
                {
                    metrics.UploadEnded(UploadOutcome.TooLarge);
                    throw new OciException(OciErrorCode.SizeInvalid, "blob exceeds the maximum size",
                        new { maximum = max }, StatusCodes.Status413PayloadTooLarge);
                }

                hash.Append(buffer.AsSpan(0, read));
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                if (read < MinimumRead)
                {
                    break;
                }
            }

            var length = writer.Length;
            if (range is { } expected && expected.End - expected.Start + 1 != length)
            {
                throw new OciException(OciErrorCode.BlobUploadInvalid,
                    $"Content-Range {expected.Start}-{expected.End} does not match the {length} bytes sent");
            }

            if (length == 0)
            {
                return upload;
            }

            var parts = await CompleteAsync(repository, uploadId, writer, cancellationToken);
            var result = await Session(uploadId).CommitChunk(repository, start, length, [.. parts], hash.ExportState());
            switch (result.Status)
            {
                case ChunkCommitStatus.Committed:
                    metrics.BytesPushed(ContentKind.Blob, length);
                    return result.Upload!;
                case ChunkCommitStatus.OffsetMismatch:
                    // Another chunk won (a store whose attempts stage side by side), or the session
                    // took a chunk while this attempt held the staging (a late commit of an attempt
                    // that timed out): dropping the parts then makes the overwritten staging fail
                    // cleanly at the next chunk or at the PUT instead of being read as intact.
                    await store.DeletePartsAsync(uploadId, parts, CancellationToken.None);
                    throw new UploadOffsetMismatchException(result.Upload!);
                default:
                    await store.DeletePartsAsync(uploadId, parts, CancellationToken.None);
                    throw new OciException(OciErrorCode.BlobUploadUnknown, detail: uploadId);
            }
        }
        catch (Exception error) when (error is not (OciException or UploadOffsetMismatchException))
        {
            // The client went away or storage failed: the chunk is lost, the session may go on.
            metrics.UploadEnded(UploadOutcome.Failed);
            throw;
        }
        finally
        {
            // Not awaited: the keep-alive only ever touches the session, so a touch after the chunk is
            // harmless, and waiting for the loop to wind down cost each chunk two thread hops (~0.2 ms).
            streaming.Cancel();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Starts the chunk's attempt at the committed length. Another attempt holding the upload's
    /// staging (the filesystem store) is a racing chunk: this one gets 416 with the current range,
    /// the other is the one that may be kept. Staged bytes that are gone mean the upload is too.
    /// </summary>
    private async Task<IStagingWriter> BeginStagingAsync(string repository, string uploadId, UploadSnapshot upload, CancellationToken cancellationToken)
    {
        try
        {
            return await store.BeginStagingAsync(uploadId, upload.Length, cancellationToken);
        }
        catch (StagingConflictException)
        {
            throw new UploadOffsetMismatchException(await GetAsync(repository, uploadId));
        }
        catch (BlobNotFoundException)
        {
            throw new OciException(OciErrorCode.BlobUploadUnknown, "the upload's staged bytes are gone", uploadId);
        }
    }

    /// <summary>Makes the chunk durable; a session expired or cancelled meanwhile is BLOB_UPLOAD_UNKNOWN, not a fault.</summary>
    private async Task<IReadOnlyList<string>> CompleteAsync(string repository, string uploadId, IStagingWriter writer, CancellationToken cancellationToken)
    {
        try
        {
            return await writer.CompleteAsync(cancellationToken);
        }
        catch (IOException)
        {
            if (await Session(uploadId).GetStatus(repository) is null)
            {
                throw new OciException(OciErrorCode.BlobUploadUnknown, "the upload was cancelled or expired while the chunk streamed", uploadId);
            }

            throw;
        }
    }

    /// <summary>
    /// While a chunk streams, tells the session it is alive often enough that the janitor never takes
    /// it for idle. A touch that fails is tried again at the next tick: whether the chunk counts is
    /// decided by its commit, never by a keep-alive.
    /// </summary>
    private async Task KeepAliveAsync(IUploadSessionGrain session, CancellationToken streaming)
    {
        var idle = options.Value.UploadIdleTimeout;
        var interval = idle / 4 < TimeSpan.FromMinutes(1) ? idle / 4 : TimeSpan.FromMinutes(1);
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(streaming))
            {
                try
                {
                    await session.Touch();
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // The session's silo is restarting or the call timed out: the next tick retries.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Finishes an upload: verifies <paramref name="digest"/> against the bytes, commits them and
    /// links the blob into the repository. A retry after a lost 201 succeeds again. SHA-256 comes
    /// from the state carried by the chunks; any other algorithm (known only now) is verified by
    /// reading the staged bytes once more.
    /// </summary>
    public async Task<BlobLink> FinishAsync(string repository, string uploadId, Digest digest, CancellationToken cancellationToken)
    {
        var session = Session(uploadId);
        var upload = await session.GetStatus(repository)
            ?? throw new OciException(OciErrorCode.BlobUploadUnknown, detail: uploadId);
        if (upload.CompletedDigest is { } completed)
        {
            if (completed != digest.ToString())
            {
                throw new OciException(OciErrorCode.BlobUploadUnknown, "the upload was finished with another digest", uploadId);
            }

            return await LinkAsync(repository, digest, mounted: false)
                ?? throw new OciException(OciErrorCode.BlobUploadUnknown, detail: uploadId);
        }

        var actual = await ComputeDigestAsync(uploadId, upload, digest.Algorithm, cancellationToken);
        if (actual != digest)
        {
            metrics.UploadEnded(UploadOutcome.DigestInvalid);
            await AbandonAsync(uploadId);
            throw new OciException(OciErrorCode.DigestInvalid, "the digest does not match the uploaded content",
                new { expected = digest.ToString(), actual = actual.ToString() });
        }

        BlobLocation location;
        try
        {
            location = await store.CommitAsync(uploadId, upload.Parts, upload.Length, digest, cancellationToken);
        }
        catch (StagingConflictException)
        {
            // A chunk kept streaming into the upload for longer than the store would wait.
            throw new UploadOffsetMismatchException(await GetAsync(repository, uploadId));
        }

        // The blob index (location and this repository in one write) before the repository's link,
        // as in LinkAsync; the session's completion needs only the index, so it is written beside the
        // link: a retried PUT after either failed finds the index and links again.
        var info = await grains.GetGrain<IBlobGrain>(digest.ToString()).RegisterIfStored(repository, location.Value, upload.Length);
        if (info is null)
        {
            // The filesystem commit found a copy that garbage collection deleted right after; the
            // staged bytes went with the commit, so the client uploads again.
            await AbandonAsync(uploadId);
            throw new OciException(OciErrorCode.BlobUploadUnknown, "the stored copy was garbage-collected while the upload finished; upload the blob again", uploadId);
        }

        if (info.Location != location.Value)
        {
            // Another upload of the same bytes registered first; this copy is redundant.
            await store.DeleteAsync(location, CancellationToken.None);
        }

        var link = LinkInRepositoryAsync(repository, digest, info, mounted: false);
        await Task.WhenAll(link, session.Complete(digest.ToString()));
        metrics.UploadEnded(UploadOutcome.Completed);
        return await link;
    }

    public async Task CancelAsync(string repository, string uploadId)
    {
        await GetAsync(repository, uploadId);
        await AbandonAsync(uploadId);
        metrics.UploadEnded(UploadOutcome.Cancelled);
    }

    /// <summary>Forgets a session and its staged bytes, whatever state it is in.</summary>
    public async Task AbandonAsync(string uploadId)
    {
        await Session(uploadId).Cancel();
        await store.DeleteStagingAsync(uploadId, CancellationToken.None);
    }

    /// <summary>
    /// Mounts a blob into <paramref name="repository"/>: from <paramref name="from"/> when given,
    /// otherwise from wherever the registry holds it (automatic content discovery).
    /// Null when it cannot be mounted; the caller then starts a plain upload. With
    /// <paramref name="mayPull"/>, only a repository the caller may pull is a source, so nobody
    /// mounts a private layer into their own repository to read it.
    /// </summary>
    public async Task<BlobLink?> TryMountAsync(string repository, Digest digest, string? from, Func<string, Task<bool>>? mayPull = null)
    {
        var existing = await grains.GetGrain<IRepositoryGrain>(repository).GetBlob(digest.ToString());
        if (existing is not null)
        {
            return existing;
        }

        BlobInfo? source;
        if (from is not null)
        {
            var link = mayPull is null || await mayPull(from) ? await grains.GetGrain<IRepositoryGrain>(from).GetBlob(digest.ToString()) : null;
            source = link is null ? null : new BlobInfo { Location = link.Location, Size = link.Size };
        }
        else
        {
            source = await grains.GetGrain<IBlobGrain>(digest.ToString()).Get();
            if (source is not null && mayPull is not null && !await AnyPullableLinkAsync(source, digest, mayPull))
            {
                source = null;
            }
        }

        return source is null ? null : await LinkAsync(repository, digest, mounted: true);
    }

    /// <summary>Whether a repository the caller may pull really links the blob (the index is a superset).</summary>
    private async Task<bool> AnyPullableLinkAsync(BlobInfo blob, Digest digest, Func<string, Task<bool>> mayPull)
    {
        foreach (var candidate in blob.Repositories)
        {
            if (await mayPull(candidate) && await grains.GetGrain<IRepositoryGrain>(candidate).GetBlob(digest.ToString()) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Blob index first, then the repository: a crash in between leaves only a superset in the index.
    /// Null when the bytes are no longer stored (garbage-collected since the caller looked).
    /// </summary>
    private async Task<BlobLink?> LinkAsync(string repository, Digest digest, bool mounted)
    {
        var blob = await grains.GetGrain<IBlobGrain>(digest.ToString()).Link(repository);
        return blob is null ? null : await LinkInRepositoryAsync(repository, digest, blob, mounted);
    }

    /// <summary>The repository's own link, once the blob index names the repository.</summary>
    private async Task<BlobLink> LinkInRepositoryAsync(string repository, Digest digest, BlobInfo blob, bool mounted)
    {
        var target = grains.GetGrain<IRepositoryGrain>(repository);
        await (mounted ? target.MountBlob(digest.ToString(), blob.Size, blob.Location) : target.LinkBlob(digest.ToString(), blob.Size, blob.Location));
        return new BlobLink { Size = blob.Size, Location = blob.Location };
    }

    private async Task<Digest> ComputeDigestAsync(string uploadId, UploadSnapshot upload, DigestAlgorithm algorithm, CancellationToken cancellationToken)
    {
        if (algorithm == DigestAlgorithm.Sha256)
        {
            var hash = upload.HashState.Length == 0
                ? ResumableHash.Create(DigestAlgorithm.Sha256)
                : ResumableHash.Restore(DigestAlgorithm.Sha256, upload.HashState);
            return hash.GetCurrentDigest();
        }

        var other = ResumableHash.Create(algorithm);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var staged = await store.OpenStagedAsync(uploadId, upload.Parts, cancellationToken);
            int read;
            while ((read = await staged.ReadAsync(buffer, cancellationToken)) > 0)
            {
                other.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return other.GetCurrentDigest();
    }

    private IUploadSessionGrain Session(string uploadId) => grains.GetGrain<IUploadSessionGrain>(uploadId);
}
