namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// One chunk attempt: it owns the upload (<see cref="UploadLock"/>) from its start until it is
/// disposed, and appends to the upload's single data file at the committed length it was given.
/// Nothing is changed before the first write or the completion; then the file is cut back to the
/// committed length (dropping bytes a dead or losing attempt left past it) and the chunk appended.
/// Completing flushes the data file once (and, for the upload's first chunk, the directories that
/// name it); the part it returns is the byte range it wrote (<see cref="StagedRange"/>), so a commit
/// renames the file instead of copying parts. Disposing without completing cuts the file back again.
/// </summary>
internal sealed class FileSystemStagingWriter : IStagingWriter
{
    private readonly string uploadsPath;
    private readonly string uploadPath;
    private readonly long committedLength;
    private readonly UploadLock ownership;
    private readonly FileStream file;
    private bool positioned;
    private long writebackFrom;
    private bool completed;
    private bool disposed;

    private FileSystemStagingWriter(string uploadsPath, string uploadPath, long committedLength, UploadLock ownership, FileStream file)
    {
        this.uploadsPath = uploadsPath;
        this.uploadPath = uploadPath;
        this.committedLength = committedLength;
        this.ownership = ownership;
        this.file = file;
        writebackFrom = committedLength;
    }

    public long Length { get; private set; }

    public static FileSystemStagingWriter Create(FileSystemLayout layout, string uploadId, long committedLength, int bufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(committedLength);
        var uploadPath = layout.UploadPath(uploadId);
        var dataPath = FileSystemLayout.DataPath(uploadPath);
        UploadLock? ownership = null;
        try
        {
            if (committedLength == 0)
            {
                Directory.CreateDirectory(uploadPath);
            }

            try
            {
                ownership = UploadLock.TryAcquire(uploadPath) ?? throw new StagingConflictException(uploadId);
            }
            catch (DirectoryNotFoundException)
            {
                throw new BlobNotFoundException(FileSystemLayout.StagedName(uploadId));
            }

            // Only an upload's first chunk may create its data file; later ones need the committed bytes.
            FileStream file;
            try
            {
                file = new FileStream(dataPath, new FileStreamOptions
                {
                    Mode = committedLength == 0 ? FileMode.OpenOrCreate : FileMode.Open,
                    Access = FileAccess.ReadWrite,
                    Share = FileShare.ReadWrite | FileShare.Delete,
                    BufferSize = bufferSize,
                    Options = FileOptions.Asynchronous,
                });
            }
            catch (FileNotFoundException)
            {
                throw new BlobNotFoundException(FileSystemLayout.StagedName(uploadId));
            }

            if (file.Length < committedLength)
            {
                file.Dispose();
                throw new BlobNotFoundException(FileSystemLayout.StagedName(uploadId));
            }

            return new FileSystemStagingWriter(layout.UploadsPath, uploadPath, committedLength, ownership, file);
        }
        catch (IOException exception) when (DiskFull.Is(exception))
        {
            ownership?.Dispose();
            throw DiskFull.ToStorageFull(exception);
        }
        catch
        {
            ownership?.Dispose();
            throw;
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
            Position();
            await file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException exception) when (DiskFull.Is(exception))
        {
            throw await AbandonForFullDiskAsync(exception).ConfigureAwait(false);
        }

        Length += data.Length;
        var end = committedLength + Length;
        if (end - writebackFrom >= EarlyWriteback.Stretch)
        {
            EarlyWriteback.Start(file.SafeFileHandle, writebackFrom, end - writebackFrom);
            writebackFrom = end;
        }
    }

    public async Task<IReadOnlyList<string>> CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!completed)
        {
            try
            {
                Position();
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            catch (IOException exception) when (DiskFull.Is(exception))
            {
                throw await AbandonForFullDiskAsync(exception).ConfigureAwait(false);
            }

            await file.DisposeAsync().ConfigureAwait(false);

            // The upload's first chunk (or its empty marker) makes the data file's name durable, and
            // the upload directory's; later chunks only change the file's content, flushed above.
            if (committedLength == 0)
            {
                DirectorySync.Flush(uploadPath);
                DirectorySync.Flush(uploadsPath);
            }

            completed = true;
        }

        return [new StagedRange(committedLength, committedLength + Length).PartId];
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            if (!completed)
            {
                await DropWrittenAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            ownership.Dispose();
        }
    }

    /// <summary>Cuts the file back to the committed length once, right before this attempt's first byte.</summary>
    private void Position()
    {
        if (positioned)
        {
            return;
        }

        if (file.Length != committedLength)
        {
            file.SetLength(committedLength);
        }

        file.Position = committedLength;
        positioned = true;
    }

    private async Task<StorageFullException> AbandonForFullDiskAsync(IOException exception)
    {
        disposed = true;
        try
        {
            await DropWrittenAsync().ConfigureAwait(false);
        }
        finally
        {
            ownership.Dispose();
        }

        return DiskFull.ToStorageFull(exception);
    }

    // Best effort: the next attempt or the commit cuts the file back anyway.
    private async Task DropWrittenAsync()
    {
        try
        {
            if (positioned)
            {
                file.SetLength(committedLength);
            }
        }
        catch (IOException)
        {
            // Buffered bytes of an abandoned attempt may fail to flush (a full disk); irrelevant.
        }

        try
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }
}
