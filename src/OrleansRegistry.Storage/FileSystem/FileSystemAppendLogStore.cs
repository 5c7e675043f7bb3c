namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// Append logs as files under <paramref name="rootPath"/> (a name's segments are directories and the
/// file). An append is one write and an fdatasync; a log's creation also flushes its directory, so a
/// log that was appended to survives a crash.
/// </summary>
public sealed class FileSystemAppendLogStore(string rootPath) : IAppendLogStore
{
    private readonly string _root = Path.GetFullPath(rootPath);

    public async Task AppendAsync(string name, ReadOnlyMemory<byte> records, CancellationToken cancellationToken)
    {
        AppendLogNames.CheckAppend(records);
        var path = PathOf(name);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var created = !File.Exists(path);
        await using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0, useAsync: true))
        {
            await stream.WriteAsync(records, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        if (created)
        {
            DirectorySync.Flush(directory);
        }
    }

    public async IAsyncEnumerable<AppendLogInfo> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        AppendLogNames.CheckedPrefix(prefix);
        await Task.CompletedTask;
        // Only the prefix's directory is walked: the root may sit beside much else.
        var slash = prefix.LastIndexOf('/');
        var directory = slash < 0 ? _root : Path.Combine([_root, .. prefix[..slash].Split('/')]);
        if (!Directory.Exists(directory))
        {
            yield break;
        }

        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(prefix, StringComparison.Ordinal) && AppendLogNames.IsValid(name))
            {
                yield return new AppendLogInfo(name, file.Length, file.LastWriteTimeUtc);
            }
        }
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            // Shared for writing and deleting: the writer goes on appending, retention may delete it.
            return Task.FromResult<Stream>(new FileStream(PathOf(name), FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete, bufferSize: 64 * 1024, useAsync: true));
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(name);
        }
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        if (File.Exists(path))
        {
            File.Delete(path);
            DirectorySync.Flush(Path.GetDirectoryName(path)!);
        }

        return Task.CompletedTask;
    }

    private string PathOf(string name) => Path.Combine([_root, .. AppendLogNames.Checked(name).Split('/')]);
}
