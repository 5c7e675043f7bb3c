namespace OrleansRegistry.Storage;

/// <summary>
/// Named append-only logs (the audit trail), kept where the registry keeps its blobs so that every silo
/// of a cluster writes to and reads from the same set: files under the data directory, append blobs in
/// Azure. A log has one writer (its name says whose); any process reads every log. Names are segments
/// of <c>A-Z a-z 0-9 . _ -</c> joined by <c>/</c> (not starting with a dot), at most 256 characters.
/// Every provider passes the shared contract tests (tests/OrleansRegistry.Storage.Tests).
/// </summary>
public interface IAppendLogStore
{
    /// <summary>
    /// Durably appends <paramref name="records"/> (1 byte to <see cref="AppendLogNames.MaxAppendBytes"/>)
    /// to the log, creating it. Appends of one log are applied whole and in order; a crash during one
    /// may leave its bytes partly written (readers skip a torn last line). Throws
    /// <see cref="AppendLogFullException"/> when the log can take no more appends (Azure: 50,000 blocks):
    /// the writer begins another log.
    /// </summary>
    Task AppendAsync(string name, ReadOnlyMemory<byte> records, CancellationToken cancellationToken);

    /// <summary>The logs whose names begin with <paramref name="prefix"/>, in no particular order.</summary>
    IAsyncEnumerable<AppendLogInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Reads a log from its start. Throws <see cref="BlobNotFoundException"/> when it does not exist.</summary>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes a log; nothing happens when it does not exist.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);
}

/// <summary>A log's name, length and the time of its last append.</summary>
public sealed record AppendLogInfo(string Name, long Length, DateTimeOffset LastModified);

/// <summary>The log can take no more appends; the writer begins another one.</summary>
public sealed class AppendLogFullException(string name, Exception? inner = null)
    : IOException($"the append log '{name}' is full", inner)
{
    public string Name { get; } = name;
}
