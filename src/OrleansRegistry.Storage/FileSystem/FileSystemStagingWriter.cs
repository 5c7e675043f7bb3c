namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// One chunk attempt: a part file of its own under the upload's directory. Disposing it
/// without <see cref="CompleteAsync"/> deletes the file, so abandoned attempts leave nothing.
/// </summary>
internal sealed class FileSystemStagingWriter : IStagingWriter
{
    private readonly string uploadPath;
    private readonly string partId;
    private readonly string partPath;
    private readonly FileStream file;
    private bool completed;
    private bool disposed;

    private FileSystemStagingWriter(string uploadPath, string partId, string partPath, FileStream file)
    {
        this.uploadPath = uploadPath;
        this.partId = partId;
        this.partPath = partPath;
        this.file = file;
    }

    public long Length { get; private set; }

    public static FileSystemStagingWriter Create(FileSystemLayout layout, string uploadId, int bufferSize)
    {
        var uploadPath = layout.UploadPath(uploadId);
        var partId = Guid.NewGuid().ToString("N");
        var partPath = layout.PartPath(uploadPath, partId);
        try
        {
            Directory.CreateDirectory(uploadPath);
            var file = new FileStream(partPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize, FileOptions.Asynchronous);
            return new FileSystemStagingWriter(uploadPath, partId, partPath, file);
        }
        catch (IOException exception) when (DiskFull.Is(exception))
        {
            DurableFiles.DeleteIfExists(partPath);
            throw DiskFull.ToStorageFull(exception);
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (completed)
        {
            throw new InvalidOperationException("the staging writer is already completed");
        }

        try
        {
            await file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException exception) when (DiskFull.Is(exception))
        {
            throw await AbandonForFullDiskAsync(exception).ConfigureAwait(false);
        }

        Length += data.Length;
    }

    public async Task<IReadOnlyList<string>> CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!completed)
        {
            try
            {
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            catch (IOException exception) when (DiskFull.Is(exception))
            {
                throw await AbandonForFullDiskAsync(exception).ConfigureAwait(false);
            }

            await file.DisposeAsync().ConfigureAwait(false);

            // The part's name and, when the upload is new, the upload's own name must be durable too.
            DirectorySync.Flush(uploadPath);
            DirectorySync.Flush(Path.GetDirectoryName(uploadPath)!);
            completed = true;
        }

        return [partId];
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (!completed)
        {
            await DeletePartAsync().ConfigureAwait(false);
        }
    }

    private async Task<StorageFullException> AbandonForFullDiskAsync(IOException exception)
    {
        disposed = true;
        await DeletePartAsync().ConfigureAwait(false);
        return DiskFull.ToStorageFull(exception);
    }

    private async Task DeletePartAsync()
    {
        try
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Flushing buffered bytes of a part being thrown away may fail (a full disk); irrelevant.
        }

        DurableFiles.DeleteIfExists(partPath);
    }
}
