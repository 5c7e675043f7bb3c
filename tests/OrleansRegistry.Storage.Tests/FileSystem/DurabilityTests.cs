using OrleansRegistry.Storage.FileSystem;

namespace OrleansRegistry.Storage.Tests.FileSystem;

/// <summary>
/// The pieces behind durability and the full-disk error. A full disk itself is not simulated:
/// that needs a small mounted filesystem (root), so only the error's recognition is tested here,
/// with a genuine ENOSPC from /dev/full.
/// </summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void Flushing_a_directory_succeeds()
    {
        DirectorySync.Flush(root.Path);
    }

    [Fact]
    public void Flushing_a_missing_directory_throws_IOException()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.ThrowsAny<IOException>(() => DirectorySync.Flush(Path.Combine(root.Path, "missing")));
    }

    [Fact]
    public void A_write_to_a_full_device_is_recognised_as_disk_full()
    {
        // /dev/full answers every write with ENOSPC; only Linux has it.
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/full"))
        {
            return;
        }

        var exception = Assert.ThrowsAny<IOException>(() =>
        {
            using var device = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            device.Write(new byte[16]);
        });

        Assert.True(DiskFull.Is(exception));
        Assert.IsType<StorageFullException>(DiskFull.ToStorageFull(exception));
    }

    [Fact]
    public void Other_IO_errors_are_not_disk_full()
    {
        var exception = Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(Path.Combine(root.Path, "missing")));

        Assert.False(DiskFull.Is(exception));
    }
}
