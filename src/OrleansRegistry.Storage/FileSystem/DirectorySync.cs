using System.Runtime.InteropServices;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// Flushes a directory's entries to disk, so a file created, renamed or deleted in it survives a
/// crash. The one copy for blob storage and the file grain storage.
/// </summary>
/// <remarks>
/// .NET cannot open a directory as a file on Unix (File.OpenHandle refuses it), so this calls libc
/// <c>open(path, O_RDONLY)</c> / <c>fsync</c> / <c>close</c>, retrying both on EINTR. <c>O_DIRECTORY</c>
/// is left out: its value differs between architectures, and every path given here is a directory
/// the caller just wrote to. Windows has no directory fsync; NTFS journals its metadata.
/// </remarks>
public static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int Eintr = 4;
    private const int Einval = 22;
    private const int EnotsupLinux = 95;
    private const int EnotsupDarwin = 45;

    /// <exception cref="IOException">The directory cannot be opened, or fsync fails (errno in HResult).</exception>
    public static void Flush(string directoryPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd;
        do
        {
            fd = Open(directoryPath, ReadOnly);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Eintr);

        if (fd < 0)
        {
            throw ErrorFor("open", directoryPath);
        }

        try
        {
            int result;
            do
            {
                result = FSync(fd);
            }
            while (result < 0 && Marshal.GetLastPInvokeError() == Eintr);

            // Some filesystems (certain FUSE or network mounts) cannot sync a directory; nothing more can be done there.
            if (result < 0 && Marshal.GetLastPInvokeError() is not (Einval or EnotsupLinux or EnotsupDarwin))
            {
                throw ErrorFor("fsync", directoryPath);
            }
        }
        finally
        {
            // close is not retried on EINTR: on Linux the descriptor is released regardless.
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
