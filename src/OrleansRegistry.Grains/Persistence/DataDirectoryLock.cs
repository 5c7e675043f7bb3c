namespace OrleansRegistry.Grains.Persistence;

/// <summary>
/// An exclusive lock on a data directory, held through an open <c>&lt;directory&gt;/.lock</c>
/// file until disposed (normally for the lifetime of the process).
/// </summary>
/// <remarks>
/// <para>
/// The lock file is opened with <see cref="FileShare.None"/>. On Windows that is a mandatory
/// sharing lock. On Linux and macOS .NET implements it with an advisory
/// <c>flock(LOCK_EX | LOCK_NB)</c> on the file: it excludes every other .NET process (and any
/// tool using <c>flock</c>, e.g. <c>flock -n dir/.lock true</c> fails while held), and a second
/// acquisition inside the same process fails too (flock locks belong to the open file
/// description, not the process). Processes that do not use flock are not stopped, the lock is
/// released by the kernel when the process dies (no stale lock files to clean up), and it is
/// disabled if the process runs with <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING=1</c>. flock on NFS
/// is emulated with byte-range locks and may not be reliable: keep data directories local.
/// </para>
/// <para>
/// The lock file holds the owner's process id for humans; it is not deleted on release, so that
/// deletion can never race with another process acquiring it.
/// </para>
/// </remarks>
public sealed class DataDirectoryLock : IDisposable
{
    /// <summary>Name of the lock file inside the locked directory.</summary>
    public const string LockFileName = ".lock";

    private FileStream? _stream;

    private DataDirectoryLock(string directory, string lockFilePath, FileStream stream)
    {
        DirectoryPath = directory;
        LockFilePath = lockFilePath;
        _stream = stream;
    }

    /// <summary>The absolute path of the locked directory.</summary>
    public string DirectoryPath { get; }

    /// <summary>The absolute path of the lock file.</summary>
    public string LockFilePath { get; }

    /// <summary>
    /// Takes the lock on <paramref name="directory"/>, creating the directory if necessary.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another holder (process or, on Unix, another lock in this process) has it.</exception>
    public static DataDirectoryLock Acquire(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var fullPath = Path.GetFullPath(directory);
        Directory.CreateDirectory(fullPath);
        var lockFilePath = Path.Combine(fullPath, LockFileName);

        FileStream stream;
        try
        {
            stream = new FileStream(lockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            throw new DataDirectoryInUseException(fullPath, e);
        }

        try
        {
            var owner = System.Text.Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n");
            stream.SetLength(0);
            stream.Write(owner);
            stream.Flush(flushToDisk: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return new DataDirectoryLock(fullPath, lockFilePath, stream);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => Interlocked.Exchange(ref _stream, null)?.Dispose();
}

/// <summary>Thrown when a data directory's lock is held by someone else.</summary>
public sealed class DataDirectoryInUseException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>.</summary>
    public DataDirectoryInUseException(string directory, Exception? innerException = null)
        : base($"data directory {directory} is in use by another process (its {DataDirectoryLock.LockFileName} file is locked)", innerException)
    {
        DirectoryPath = directory;
    }

    /// <summary>The directory that is in use.</summary>
    public string DirectoryPath { get; }
}
