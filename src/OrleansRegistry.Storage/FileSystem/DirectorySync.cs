using System.Runtime.InteropServices;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// Flushes a directory's entries to disk, so a file created or renamed into it survives a crash.
/// .NET cannot open a directory as a file on Unix (File.OpenHandle refuses it), so this calls libc.
/// </summary>
internal static partial class DirectorySync
{
    // O_RDONLY is 0 everywhere; O_DIRECTORY is left out because its value differs between
    // architectures and every path given here is a directory this store created.
    private const int ReadOnly = 0;
    private const int Einval = 22;

    public static void Flush(string directoryPath)
    {
        // Windows has no directory fsync; NTFS journals its metadata.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(directoryPath, ReadOnly);
        if (fd < 0)
        {
            throw ErrorFor("open", directoryPath);
        }

        try
        {
            // EINVAL: the filesystem cannot sync directories; nothing more can be done there.
            if (FSync(fd) != 0 && Marshal.GetLastPInvokeError() != Einval)
            {
                throw ErrorFor("fsync", directoryPath);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException ErrorFor(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} of directory '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
