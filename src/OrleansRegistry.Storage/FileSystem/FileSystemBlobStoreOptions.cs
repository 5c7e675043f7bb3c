namespace OrleansRegistry.Storage.FileSystem;

/// <summary>Settings of <see cref="FileSystemBlobStore"/>.</summary>
public sealed class FileSystemBlobStoreOptions
{
    /// <summary>
    /// Directory holding <c>blobs/</c>, <c>uploads/</c> and <c>tmp/</c>; created when missing.
    /// All three must live on one filesystem so that publishing content is a rename.
    /// </summary>
    public required string RootPath { get; set; }

    /// <summary>
    /// Buffer of the file a staging writer appends to, in bytes. Default 256 KiB: smaller writes are
    /// gathered (many small writes cost far more than a few large ones); writes of at least this
    /// size go straight to the file, as the server's are (it reads request bodies 256 KiB to 1 MiB at a time).
    /// </summary>
    public int StagingWriteBufferSize { get; set; } = 256 * 1024;

    /// <summary>
    /// How long a commit waits for a chunk attempt still holding the upload (a PATCH racing the
    /// final PUT) before giving up with <see cref="StagingConflictException"/>. Default 30 s.
    /// </summary>
    public TimeSpan CommitWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
