namespace OrleansRegistry.Storage.Journal;

/// <summary>
/// An upload's journal as read: its intact records in order, and its length after the last of
/// them, which is where the next record goes (<see cref="IBlobStore.AppendJournalAsync"/>).
/// </summary>
public sealed record UploadJournal(IReadOnlyList<byte[]> Records, long Length)
{
    public static UploadJournal Empty { get; } = new([], 0);
}

/// <summary>
/// Thrown by <see cref="IBlobStore.AppendJournalAsync"/> when the journal no longer ends where the
/// caller read it: another writer appended meanwhile, and the caller's view is stale.
/// </summary>
public sealed class UploadJournalConflictException(string uploadId, long position)
    : Exception($"the journal of upload '{uploadId}' has moved past position {position}")
{
    public string UploadId { get; } = uploadId;
}
