namespace OrleansRegistry.Contracts.Uploads;

/// <summary>
/// One blob upload (key: upload id), placed on the silo that opened it, which the upload's URL
/// names (<see cref="Cluster.SiloHint"/>) so the edge can keep its chunks there. It holds metadata
/// only: the committed length, the staged parts in order, and the SHA-256 state after the last
/// committed byte, so that the next chunk can be taken by any silo. Each chunk is recorded in the
/// upload's journal next to its staged bytes; grain storage is written at the start and the end.
/// Bytes stream between HTTP and storage, never through here.
/// </summary>
[Alias("upload")]
public interface IUploadSessionGrain : IGrainWithStringKey
{
    [Alias("start")]
    Task<UploadSnapshot> Start(string repository);

    /// <summary>The session as persisted, or null when unknown, cancelled, expired or of another repository.</summary>
    [Alias("status")]
    Task<UploadSnapshot?> GetStatus(string repository);

    /// <summary>
    /// Appends a chunk that was staged as <paramref name="parts"/>: accepted only when it starts
    /// at the committed length (so of two racing chunks exactly one is kept).
    /// </summary>
    [Alias("commit-chunk")]
    Task<ChunkCommitResult> CommitChunk(string repository, long start, long length, string[] parts, byte[] hashState);

    /// <summary>Records the verified digest; a retried final PUT with that digest succeeds again.</summary>
    [Alias("complete")]
    Task Complete(string digest);

    /// <summary>Forgets the session (cancel or failed verification).</summary>
    [Alias("cancel")]
    Task Cancel();

    /// <summary>
    /// Tells the session that a chunk is still streaming into it, so that a slow chunk is not
    /// taken for an idle session. Kept in memory only: a silo that dies stops touching.
    /// </summary>
    [Alias("touch")]
    Task Touch();

    /// <summary>Forgets the session when it has been idle for longer than <paramref name="idle"/>.</summary>
    [Alias("expire")]
    Task<bool> ExpireIfIdle(TimeSpan idle);
}

[GenerateSerializer, Immutable]
public sealed record UploadSnapshot
{
    [Id(0)] public required string Repository { get; init; }
    [Id(1)] public long Length { get; init; }
    [Id(2)] public string[] Parts { get; init; } = [];

    /// <summary>Exported SHA-256 state after <see cref="Length"/> bytes; empty before the first byte.</summary>
    [Id(3)] public byte[] HashState { get; init; } = [];

    /// <summary>Set once the upload was finished with this digest.</summary>
    [Id(4)] public string? CompletedDigest { get; init; }

    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The <see cref="Cluster.SiloHint"/> of the silo hosting the session now (not persisted).</summary>
    [Id(6)] public string? Home { get; init; }
}

public enum ChunkCommitStatus
{
    Committed,
    OffsetMismatch,
    UnknownUpload,
}

[GenerateSerializer, Immutable]
public sealed record ChunkCommitResult
{
    [Id(0)] public required ChunkCommitStatus Status { get; init; }
    [Id(1)] public UploadSnapshot? Upload { get; init; }
}
