using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// Starts writing a range of a file's dirty pages to disk while more bytes are still arriving, so the
/// fsync that acknowledges a chunk waits for the last stretch only instead of all of it. Linux's
/// <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>; it promises nothing about durability (the fsync
/// still does), so a failure or another OS just leaves the work to that fsync.
/// </summary>
internal static partial class EarlyWriteback
{
    /// <summary>How many bytes accumulate before their writeback is started.</summary>
    public const long Stretch = 2 * 1024 * 1024;

    private const uint SyncFileRangeWrite = 2;

    public static void Start(SafeFileHandle file, long offset, long count)
    {
        if (OperatingSystem.IsLinux() && count > 0)
        {
            _ = SyncFileRange(file, offset, count, SyncFileRangeWrite);
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle file, long offset, long count, uint flags);
}
