using System.Runtime.InteropServices;

namespace OrleansRegistry.Grains.Persistence;

/// <summary>
/// Makes directory entries durable: after a file is created, renamed or deleted, the change
/// to the directory itself is only on disk once the directory has been fsync'ed.
/// </summary>
/// <remarks>
/// .NET has no API for this (a <see cref="FileStream"/> cannot be opened on a directory), so on
/// Unix this calls libc <c>open(path, O_RDONLY)</c> / <c>fsync</c> / <c>close</c>. <c>O_DIRECTORY</c>
/// is deliberately not passed: its value differs between architectures (0x10000 on x64,
/// 0x4000 on arm64, 0x100000 on macOS) and the callers only ever pass directories they have
/// just written to. On Windows this is a no-op: NTFS journals directory metadata and
/// <c>FlushFileBuffers</c> on a directory needs a backup-semantics handle for little gain.
/// </remarks>
internal static partial class DirectorySync
{
    private const int O_RDONLY = 0;
    private const int EINTR = 4;
    private const int EINVAL = 22;
    private const int ENOTSUP_LINUX = 95;
    private const int ENOTSUP_DARWIN = 45;

    /// <summary>Flushes the directory's entries to disk.</summary>
    /// <exception cref="IOException">The directory cannot be opened or fsync fails.</exception>
    public static void Fsync(string directoryPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd;
        do
        {
            fd = Open(directoryPath, O_RDONLY);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open directory '{directoryPath}' to fsync it (errno {errno})", errno);
        }

        try
        {
            int result;
            do
            {
                result = FsyncNative(fd);
            }
            while (result < 0 && Marshal.GetLastPInvokeError() == EINTR);

            if (result < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // Some file systems (certain FUSE/network mounts) cannot fsync a directory;
                // there is nothing better to do there than carry on.
                if (errno is not (EINVAL or ENOTSUP_LINUX or ENOTSUP_DARWIN))
                {
                    throw new IOException($"fsync of directory '{directoryPath}' failed (errno {errno})", errno);
                }
            }
        }
        finally
        {
            // close is not retried on EINTR: on Linux the descriptor is released regardless.
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncNative(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
