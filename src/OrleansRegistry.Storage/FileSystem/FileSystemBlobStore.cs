using System.Buffers;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.Streams;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// Keeps blobs as files under one root directory (see <see cref="FileSystemLayout"/> for the layout).
/// Content reaches its final path only by an atomic rename of a file already flushed to disk.
/// Several processes may share the root: publishing never overwrites, so racing commits dedup.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private readonly FileSystemLayout layout;
    private readonly FileSystemBlobStoreOptions options;

    public FileSystemBlobStore(FileSystemBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.StagingWriteBufferSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.CommitCopyBufferSize);
        this.options = options;
        layout = new FileSystemLayout(options.RootPath);
        foreach (var directory in layout.AlgorithmPaths.Append(layout.UploadsPath).Append(layout.TempPath))
        {
            Directory.CreateDirectory(directory);
        }
    }

    public ValueTask<IStagingWriter> BeginStagingAsync(string uploadId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IStagingWriter>(FileSystemStagingWriter.Create(layout, uploadId, options.StagingWriteBufferSize));

    public Task<Stream> OpenStagedAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        var paths = PartPaths(uploadId, parts);
        for (var i = 0; i < paths.Length; i++)
        {
            if (!File.Exists(paths[i]))
            {
                throw new BlobNotFoundException(StagedPartName(uploadId, parts[i]));
            }
        }

        return Task.FromResult<Stream>(new ConcatenatedReadStream(paths.Length, index => OpenForReading(paths[index])));
    }

    public async Task<BlobLocation> CommitAsync(string uploadId, IReadOnlyList<string> parts, long length, Digest digest, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var location = FileSystemLayout.LocationOf(digest);
        var finalPath = layout.ContentPath(location);
        var paths = PartPaths(uploadId, parts);

        // Checked first: a retried commit may find its single part already published.
        if (File.Exists(finalPath))
        {
            EnsureStoredLength(finalPath, length);
            DeleteFiles(paths);
            return location;
        }

        var missing = MeasureParts(paths, out var stagedLength);
        if (missing >= 0)
        {
            // A racing commit of the same parts may have published them just now.
            if (File.Exists(finalPath))
            {
                EnsureStoredLength(finalPath, length);
                DeleteFiles(paths);
                return location;
            }

            throw new BlobNotFoundException(StagedPartName(uploadId, parts[missing]));
        }

        if (stagedLength != length)
        {
            throw new InvalidOperationException($"the staged parts hold {stagedLength} bytes, not {length}");
        }

        if (paths.Length == 1)
        {
            PublishPart(paths[0], finalPath);
        }
        else
        {
            await PublishConcatenationAsync(paths, length, finalPath, cancellationToken).ConfigureAwait(false);
        }

        DeleteFiles(paths);
        return location;
    }

    public Task DeletePartsAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        DeleteFiles(PartPaths(uploadId, parts));
        return Task.CompletedTask;
    }

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

    // A single part becomes the content itself: no copy, just a rename.
    private static void PublishPart(string partPath, string finalPath)
    {
        try
        {
            // The part was flushed when staged; flushing again is cheap and does not trust that.
            DurableFiles.FlushFile(partPath);
            DurableFiles.TryPublish(partPath, finalPath);
        }
        catch (IOException exception) when (DiskFull.Is(exception))
        {
            throw DiskFull.ToStorageFull(exception);
        }
    }

    private async Task PublishConcatenationAsync(string[] paths, long length, string finalPath, CancellationToken cancellationToken)
    {
        // Built in tmp/ rather than by appending to the first part, so a failed or repeated
        // commit never changes a staged part.
        var tempPath = layout.NewTempFilePath();
        var buffer = ArrayPool<byte>.Shared.Rent(options.CommitCopyBufferSize);
        try
        {
            await using (var target = NewTempFile(tempPath, length))
            {
                foreach (var path in paths)
                {
                    await using var part = OpenForReading(path);
                    int read;
                    while ((read = await part.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }

                target.Flush(flushToDisk: true);
            }

            DurableFiles.TryPublish(tempPath, finalPath);
        }
        catch (IOException exception) when (DiskFull.Is(exception))
        {
            throw DiskFull.ToStorageFull(exception);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            DurableFiles.DeleteIfExists(tempPath);
        }
    }

    private string[] PartPaths(string uploadId, IReadOnlyList<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var uploadPath = layout.UploadPath(uploadId);
        var paths = new string[parts.Count];
        for (var i = 0; i < paths.Length; i++)
        {
            paths[i] = layout.PartPath(uploadPath, parts[i]);
        }

        return paths;
    }

    /// <summary>Sums the parts' lengths; returns the index of the first missing part, or -1.</summary>
    private static int MeasureParts(string[] paths, out long total)
    {
        total = 0;
        for (var i = 0; i < paths.Length; i++)
        {
            var part = new FileInfo(paths[i]);
            if (!part.Exists)
            {
                return i;
            }

            total += part.Length;
        }

        return -1;
    }

    private static string StagedPartName(string uploadId, string partId) => $"uploads/{uploadId}/{partId}";

    private static void EnsureStoredLength(string finalPath, long length)
    {
        var stored = new FileInfo(finalPath);
        if (stored.Length != length)
        {
            throw new InvalidOperationException($"the stored content holds {stored.Length} bytes, not {length}");
        }
    }

    private static void DeleteFiles(string[] paths)
    {
        foreach (var path in paths)
        {
            DurableFiles.DeleteIfExists(path);
        }
    }
}
