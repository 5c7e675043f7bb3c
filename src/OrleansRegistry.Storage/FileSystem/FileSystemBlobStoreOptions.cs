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
    /// Buffer of the file a staging writer appends to, in bytes. Default 1 MiB: request bodies
    /// arrive in small pieces and few large writes are much cheaper than many small ones.
    /// Writes larger than the buffer go straight to the file.
    /// </summary>
    public int StagingWriteBufferSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Buffer used to copy parts into one file when a multi-part upload is committed, in bytes.
    /// Default 1 MiB. Rented from the shared array pool, so it is never held between commits.
    /// </summary>
    public int CommitCopyBufferSize { get; set; } = 1024 * 1024;
}
