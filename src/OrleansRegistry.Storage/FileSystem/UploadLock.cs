using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// Exclusive ownership of one upload's staging directory, between threads and between processes
/// sharing the root (the filesystem provider in cluster mode): <c>flock(LOCK_EX)</c> on the
/// directory itself, so there is no lock file to create, leave behind or race on. The kernel drops
/// the lock with the last descriptor, so a process killed mid-chunk never leaves the upload locked.
/// Called through libc rather than through <see cref="FileShare.None"/>, whose emulation on Unix can
/// be switched off (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>) and which cannot open a directory.
/// </summary>
internal sealed partial class UploadLock : IDisposable
{
    private const int ReadOnly = 0;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int Eintr = 4;
    private const int Enoent = 2;
    private const string WindowsLockFileName = "lock";

    private readonly SafeHandle handle;

    private UploadLock(SafeHandle handle) => this.handle = handle;

    /// <summary>
    /// Takes the lock without waiting. Null when another attempt holds it; throws
    /// <see cref="DirectoryNotFoundException"/> when the directory is not there.
    /// </summary>
    public static UploadLock? TryAcquire(string uploadPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return TryAcquireWindows(uploadPath);
        }

        var fd = Open(uploadPath, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == Enoent
                ? new DirectoryNotFoundException($"upload directory '{uploadPath}' is not there")
                : new IOException($"open of directory '{uploadPath}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        var owned = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            while (FLock(fd, LockExclusive | LockNonBlocking) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr)
                {
                    continue;
                }

                owned.Dispose();
                return errno == WouldBlock
                    ? null
                    : throw new IOException($"flock of directory '{uploadPath}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }

            return new UploadLock(owned);
        }
        catch
        {
            owned.Dispose();
            throw;
        }
    }

    /// <summary>Takes the lock, polling until it is free or <paramref name="timeout"/> has passed (null then).</summary>
    public static async Task<UploadLock?> AcquireAsync(string uploadPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            if (TryAcquire(uploadPath) is { } acquired)
            {
                return acquired;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 100));
        }
    }

    public void Dispose() => handle.Dispose();

    // O_CLOEXEC, so a child process never inherits (and keeps) the lock: 0x80000 on Linux (every
    // architecture .NET runs on), 0x1000000 on macOS.
    private static int CloseOnExec => OperatingSystem.IsLinux() ? 0x80000 : OperatingSystem.IsMacOS() ? 0x1000000 : 0;

    // EWOULDBLOCK: 11 on Linux, 35 on the BSDs and macOS.
    private static int WouldBlock => OperatingSystem.IsLinux() ? 11 : 35;

    // Windows cannot lock a directory; a lock file opened without sharing is exclusive there.
    private static UploadLock? TryAcquireWindows(string uploadPath)
    {
        if (!Directory.Exists(uploadPath))
        {
            throw new DirectoryNotFoundException($"upload directory '{uploadPath}' is not there");
        }

        try
        {
            return new UploadLock(File.OpenHandle(
                Path.Combine(uploadPath, WindowsLockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException exception) when (exception is not (FileNotFoundException or DirectoryNotFoundException))
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int FLock(int fd, int operation);
}
