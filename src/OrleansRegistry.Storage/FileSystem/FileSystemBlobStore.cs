using Microsoft.Win32.SafeHandles;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.Journal;
using OrleansRegistry.Storage.Streams;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// Keeps blobs as files under one root directory (see <see cref="FileSystemLayout"/> for the layout).
/// Content reaches its final path only by an atomic rename of a file already flushed to disk.
/// Several processes may share the root: publishing never overwrites, so racing commits dedup.
/// An upload's chunks are appended to one data file (see <see cref="FileSystemStagingWriter"/>),
/// which the commit cuts to the committed length, flushes and renames to the content's path:
/// every byte of a chunked upload is written once.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private readonly FileSystemLayout layout;
    private readonly FileSystemBlobStoreOptions options;

    public FileSystemBlobStore(FileSystemBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.StagingWriteBufferSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CommitWaitTimeout, TimeSpan.Zero);
        this.options = options;
        layout = new FileSystemLayout(options.RootPath);
        foreach (var directory in layout.AlgorithmPaths.Append(layout.UploadsPath).Append(layout.TempPath))
        {
            Directory.CreateDirectory(directory);
        }
    }

    public ValueTask<IStagingWriter> BeginStagingAsync(string uploadId, long committedLength, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IStagingWriter>(FileSystemStagingWriter.Create(layout, uploadId, committedLength, options.StagingWriteBufferSize));

    public Task<Stream> OpenStagedAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        var dataPath = FileSystemLayout.DataPath(layout.UploadPath(uploadId));
        var ranges = ParseParts(uploadId, parts);
        if (ranges.Length == 0)
        {
            return Task.FromResult<Stream>(new MemoryStream([], writable: false));
        }

        var staged = new FileInfo(dataPath);
        if (!staged.Exists || staged.Length < ranges.Max(range => range.End))
        {
            throw new BlobNotFoundException(FileSystemLayout.StagedName(uploadId));
        }

        return Task.FromResult<Stream>(new ConcatenatedReadStream(
            ranges.Length, index => new RangeReadStream(OpenForReading(dataPath), ranges[index].Start, ranges[index].Length)));
    }

    public async Task<BlobLocation> CommitAsync(string uploadId, IReadOnlyList<string> parts, long length, Digest digest, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var location = FileSystemLayout.LocationOf(digest);
        var finalPath = layout.ContentPath(location);
        var uploadPath = layout.UploadPath(uploadId);
        var dataPath = FileSystemLayout.DataPath(uploadPath);
        var ranges = ParseParts(uploadId, parts);

        // Checked first: a retried commit finds its data already published, or another upload's copy.
        if (TryUseStored(finalPath, length, dataPath))
        {
            return location;
        }

        // The parts must be the data file's bytes from its start, one after another: what the
        // upload grain records, chunk by chunk. Checked before anything on disk changes.
        long end = 0;
        foreach (var range in ranges)
        {
            if (range.Start != end)
            {
                throw new InvalidOperationException($"the staged parts are not contiguous: one starts at {range.Start}, not {end}");
            }

            end = range.End;
        }

        if (end != length)
        {
            throw new InvalidOperationException($"the staged parts hold {end} bytes, not {length}");
        }

        if (length == 0 && !File.Exists(dataPath))
        {
            // An empty blob from an upload that staged nothing at all: nothing to rename.
            return await PutAsync(digest, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }

        // A chunk still streaming into this upload (a PATCH racing the PUT) must not write into
        // the file once it is the content: wait for it to finish.
        UploadLock? ownership;
        try
        {
            ownership = await UploadLock.AcquireAsync(uploadPath, options.CommitWaitTimeout, cancellationToken).ConfigureAwait(false)
                ?? throw new StagingConflictException(uploadId);
        }
        catch (DirectoryNotFoundException)
        {
            return TryUseStored(finalPath, length, dataPath) ? location : throw new BlobNotFoundException(FileSystemLayout.StagedName(uploadId));
        }

        using (ownership)
        {
            try
            {
                if (!CutAndFlush(dataPath, length))
                {
                    // A racing commit of the same upload may have published it just now.
                    return TryUseStored(finalPath, length, dataPath) ? location : throw new BlobNotFoundException(FileSystemLayout.StagedName(uploadId));
                }

                if (!DurableFiles.TryPublish(dataPath, finalPath))
                {
                    // Another upload of the same content published first: keep that one.
                    EnsureStoredLength(finalPath, length);
                    DurableFiles.DeleteIfExists(dataPath);
                }
            }
            catch (IOException exception) when (DiskFull.Is(exception))
            {
                throw DiskFull.ToStorageFull(exception);
            }
        }

        return location;
    }

    public Task DeletePartsAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        var dataPath = FileSystemLayout.DataPath(layout.UploadPath(uploadId));
        var ranges = ParseParts(uploadId, parts, strict: false);
        if (ranges.Length == 0)
        {
            return Task.CompletedTask;
        }

        // The caller is the attempt that staged these parts and still owns the upload, so no other
        // attempt writes meanwhile. Everything from the first dropped byte on goes: if the upload
        // committed a chunk there behind that attempt's back, its bytes were overwritten, and a
        // file shorter than the committed length makes the next chunk or the commit fail cleanly.
        var from = ranges.Min(range => range.Start);
        try
        {
            using var handle = File.OpenHandle(dataPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            if (RandomAccess.GetLength(handle) > from)
            {
                RandomAccess.SetLength(handle, from);
            }
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            // Nothing staged any more (committed, or the staging was deleted).
        }

        return Task.CompletedTask;
    }

    public Task<long> AppendJournalAsync(string uploadId, long position, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        Task.FromResult(FileSystemUploadJournal.Append(layout, uploadId, position, record.Span));

    public Task<UploadJournal> ReadJournalAsync(string uploadId, CancellationToken cancellationToken) =>
        Task.FromResult(FileSystemUploadJournal.Read(layout, uploadId));

    public Task DeleteStagingAsync(string uploadId, CancellationToken cancellationToken)
    {
        var uploadPath = layout.UploadPath(uploadId);
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Directory.Delete(uploadPath, recursive: true);
                return Task.CompletedTask;
            }
            catch (DirectoryNotFoundException)
            {
                return Task.CompletedTask;
            }
            catch (IOException) when (attempt < attempts)
            {
                // A racing attempt added a part while the directory was being emptied; go again.
            }
        }
    }

    public IAsyncEnumerable<StagedUpload> ListStagedUploadsAsync(CancellationToken cancellationToken) =>
        StagedUploadListing.List(layout, cancellationToken).ToAsyncEnumerable();

    public IAsyncEnumerable<StoredContent> ListContentAsync(CancellationToken cancellationToken) =>
        layout.ListContent(cancellationToken).ToAsyncEnumerable();

    public async Task<BlobLocation> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var location = FileSystemLayout.LocationOf(digest);
        var finalPath = layout.ContentPath(location);
        if (File.Exists(finalPath))
        {
            return location;
        }

        var tempPath = layout.NewTempFilePath();
        try
        {
            // Unbuffered: the content is already in memory and goes to the file in one write.
            await using (var file = NewTempFile(tempPath, content.Length))
            {
                await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            DurableFiles.TryPublish(tempPath, finalPath);
        }
        catch (IOException exception) when (DiskFull.Is(exception))
        {
            throw DiskFull.ToStorageFull(exception);
        }
        finally
        {
            DurableFiles.DeleteIfExists(tempPath);
        }

        return location;
    }

    public Task<long?> GetLengthAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        var file = new FileInfo(layout.ContentPath(location));
        return Task.FromResult(file.Exists ? file.Length : (long?)null);
    }

    public Task<Stream> OpenReadAsync(BlobLocation location, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(length));
        }

        var path = layout.ContentPath(location);
        FileStream file;
        try
        {
            file = OpenForReading(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(location.Value);
        }

        var stored = file.Length;
        var window = length ?? stored - offset;
        if (offset > stored || window > stored - offset)
        {
            file.Dispose();
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + window} are outside content of {stored} bytes");
        }

        return Task.FromResult<Stream>(offset == 0 && window == stored ? file : new RangeReadStream(file, offset, window));
    }

    public Task DeleteAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        DurableFiles.DeleteIfExists(layout.ContentPath(location));
        return Task.CompletedTask;
    }

    // Unbuffered: callers copy in large chunks, and a FileStream buffer would only add a copy.
    private static FileStream OpenForReading(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);

    // Preallocating surfaces a full disk before any byte is copied, on filesystems that support it.
    private static FileStream NewTempFile(string path, long length) =>
        new(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            Options = FileOptions.Asynchronous,
            PreallocationSize = length,
        });

    /// <summary>Cuts the data file to the committed length and flushes it; false when it is not there (or too short).</summary>
    private static bool CutAndFlush(string dataPath, long length)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(dataPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        using (handle)
        {
            var staged = RandomAccess.GetLength(handle);
            if (staged < length)
            {
                return false;
            }

            // Bytes past the committed length are a chunk the upload never took (a losing attempt,
            // or one that died mid-write). Every chunk was flushed when staged; flushing again is
            // cheap and covers the cut.
            if (staged > length)
            {
                RandomAccess.SetLength(handle, length);
            }

            RandomAccess.FlushToDisk(handle);
            return true;
        }
    }

    /// <summary>
    /// When content is already stored under the digest: checks its length, drops this upload's data
    /// (a dedup, or what remains after a commit that already published it) and returns true.
    /// </summary>
    private static bool TryUseStored(string finalPath, long length, string dataPath)
    {
        if (!File.Exists(finalPath))
        {
            return false;
        }

        EnsureStoredLength(finalPath, length);
        DurableFiles.DeleteIfExists(dataPath);
        return true;
    }

    /// <summary>
    /// The ranges named by <paramref name="parts"/>. Ids outside the alphabet are an
    /// <see cref="ArgumentException"/>; other ids were never staged here: <see cref="BlobNotFoundException"/>
    /// (or skipped, when not <paramref name="strict"/>).
    /// </summary>
    private static StagedRange[] ParseParts(string uploadId, IReadOnlyList<string> parts, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var ranges = new List<StagedRange>(parts.Count);
        var foreign = false;
        foreach (var part in parts)
        {
            if (StagedRange.TryParse(part, out var range))
            {
                ranges.Add(range);
            }
            else
            {
                foreign = true;
            }
        }

        return foreign && strict ? throw new BlobNotFoundException(FileSystemLayout.StagedName(uploadId)) : [.. ranges];
    }

    private static void EnsureStoredLength(string finalPath, long length)
    {
        var stored = new FileInfo(finalPath);
        if (stored.Length != length)
        {
            throw new InvalidOperationException($"the stored content holds {stored.Length} bytes, not {length}");
        }
    }
}
