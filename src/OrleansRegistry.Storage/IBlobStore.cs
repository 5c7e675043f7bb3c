using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage;

/// <summary>
/// Where blob bytes live. The shape fits both a filesystem and Azure block blobs:
/// an upload stages its bytes in <em>parts</em> (ranges of the upload's data file, or block ids),
/// the grain of the upload keeps the list of committed parts, and <see cref="CommitAsync"/>
/// turns that list into the content of a digest without passing bytes through a grain.
/// Every provider passes the shared contract tests (tests/OrleansRegistry.Storage.Tests).
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Starts writing one chunk attempt of an upload whose committed length (what its upload grain
    /// has accepted so far) is <paramref name="committedLength"/>. The upload grain decides which
    /// attempt's parts are kept; a provider makes sure that no attempt overwrites committed bytes:
    /// either each attempt writes parts of its own (Azure: blocks), or an attempt owns the upload's
    /// staging exclusively from here until it is disposed, and appends at
    /// <paramref name="committedLength"/>, dropping whatever an earlier attempt left past it that was
    /// never committed (the filesystem: one data file per upload). Such a provider refuses a second
    /// attempt while one is open with <see cref="StagingConflictException"/>, and changes nothing
    /// staged before the attempt's first write or completion, so a caller that learns only now that
    /// <paramref name="committedLength"/> is stale can still dispose the attempt harmlessly.
    /// Upload ids (and part ids) are 1 to 64 characters of <c>A-Z a-z 0-9 - _</c>; providers may
    /// reject anything else with <see cref="ArgumentException"/>. Throws
    /// <see cref="BlobNotFoundException"/> when the provider knows that the committed bytes are no
    /// longer staged (the upload was committed, deleted, or its staging was dropped).
    /// </summary>
    ValueTask<IStagingWriter> BeginStagingAsync(string uploadId, long committedLength, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the concatenation of the given staged parts (used to verify digests other than sha256).
    /// Throws <see cref="BlobNotFoundException"/> when a part is not staged.
    /// </summary>
    Task<Stream> OpenStagedAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the staged parts, in order, the durable content of <paramref name="digest"/>
    /// and returns its location. The caller has verified the digest. A repeated commit of the
    /// same upload returns the same location. A provider may also recognise content already
    /// stored under the digest and return that location (the filesystem provider does; Azure
    /// keeps each upload's blob and the blob index picks the canonical copy).
    /// Throws <see cref="InvalidOperationException"/> when the parts (or the stored content) do not hold
    /// exactly <paramref name="length"/> bytes, and <see cref="BlobNotFoundException"/> when a part is
    /// missing and the content is not stored either.
    /// </summary>
    Task<BlobLocation> CommitAsync(string uploadId, IReadOnlyList<string> parts, long length, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes parts of an upload that will never be committed (a losing or failed attempt). Best
    /// effort: Azure cannot delete uncommitted blocks one by one; they go with the upload's staging.
    /// Called by the attempt that staged the parts, before its writer is disposed: a provider whose
    /// attempts own the staging exclusively drops the bytes from the first given part on (so a
    /// commit the upload took behind that attempt's back can no longer be read as if intact).
    /// </summary>
    Task DeletePartsAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken);

    /// <summary>
    /// Durably appends one record (1 byte to 4 MiB less 12) to the upload's journal at
    /// <paramref name="position"/>, the journal's length as last read or appended, and returns its new
    /// length. The journal lives with the staged bytes, so a chunk is recorded where it is staged:
    /// the upload grain keeps its progress there rather than in grain storage. Callers append while
    /// they hold an attempt of the upload (<see cref="BeginStagingAsync"/>). Throws
    /// <see cref="UploadJournalConflictException"/> when the journal holds a record at or past the
    /// position (a stale writer), and <see cref="BlobNotFoundException"/> when the upload's staging is gone.
    /// </summary>
    Task<long> AppendJournalAsync(string uploadId, long position, ReadOnlyMemory<byte> record, CancellationToken cancellationToken);

    /// <summary>The upload's intact journal records (none when it has no journal).</summary>
    Task<UploadJournal> ReadJournalAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Deletes everything staged for an upload, its journal included (cancelled, expired or finished).</summary>
    Task DeleteStagingAsync(string uploadId, CancellationToken cancellationToken);

    /// <summary>Uploads that have anything staged or a journal, with the time of their last write, for expiry.</summary>
    IAsyncEnumerable<StagedUpload> ListStagedUploadsAsync(CancellationToken cancellationToken);

    /// <summary>Stores small content (a manifest) durably under its digest in one call.</summary>
    Task<BlobLocation> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Length of stored content, or null when it is not there.</summary>
    Task<long?> GetLengthAsync(BlobLocation location, CancellationToken cancellationToken);

    /// <summary>
    /// Opens stored content for reading from <paramref name="offset"/>, <paramref name="length"/>
    /// bytes (null: to the end). Throws <see cref="BlobNotFoundException"/> when absent and
    /// <see cref="ArgumentOutOfRangeException"/> when the range reaches past the end of the content.
    /// </summary>
    Task<Stream> OpenReadAsync(BlobLocation location, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>Deletes stored content; absent content is not an error.</summary>
    Task DeleteAsync(BlobLocation location, CancellationToken cancellationToken);

    /// <summary>
    /// Every piece of stored content (what <see cref="CommitAsync"/> and <see cref="PutAsync"/> made, not
    /// staging), with its digest, length and the time it was written, in no particular order: garbage
    /// collection compares it with what the registry references.
    /// </summary>
    IAsyncEnumerable<StoredContent> ListContentAsync(CancellationToken cancellationToken);
}

/// <summary>One piece of stored content, as <see cref="IBlobStore.ListContentAsync"/> lists it.</summary>
public readonly record struct StoredContent(BlobLocation Location, string Digest, long Length, DateTimeOffset LastModified);

/// <summary>
/// Writes one chunk attempt. Dispose without <see cref="CompleteAsync"/> abandons it. Dispose it only
/// once its parts are committed by the upload or dropped: a provider may keep the upload's staging
/// to this attempt until then.
/// </summary>
public interface IStagingWriter : IAsyncDisposable
{
    /// <summary>Bytes written so far by this attempt.</summary>
    long Length { get; }

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes the attempt's bytes durable (fsync / staged blocks) and returns its parts, in order.</summary>
    Task<IReadOnlyList<string>> CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>An opaque, provider-specific location of stored content (a relative path, a blob name).</summary>
public readonly record struct BlobLocation(string Value)
{
    public override string ToString() => Value;
}

public readonly record struct StagedUpload(string UploadId, DateTimeOffset LastModified);

public sealed class BlobNotFoundException(string location) : Exception($"blob content '{location}' is not stored");

/// <summary>
/// Thrown by <see cref="IBlobStore.BeginStagingAsync"/> (and by a commit that could not wait any longer)
/// when another attempt of the same upload holds its staging: of two racing chunks, the one already
/// streaming is the one that may be kept. Answered 416 with the upload's committed range.
/// </summary>
public sealed class StagingConflictException(string uploadId)
    : Exception($"another chunk of upload '{uploadId}' is being staged")
{
    public string UploadId { get; } = uploadId;
}

/// <summary>Thrown when storage has no room left; answered 507 and nothing partial stays visible.</summary>
public sealed class StorageFullException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// Thrown when storage could not be reached or failed on its side (a transport failure, a 5xx after
/// the client's retries): nothing about the request was wrong, so it is answered 503 to be retried.
/// </summary>
public sealed class StorageUnavailableException(string message, Exception inner) : IOException(message, inner);
