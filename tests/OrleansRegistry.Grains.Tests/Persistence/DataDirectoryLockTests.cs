using System.Diagnostics;
using OrleansRegistry.Grains.Persistence;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Persistence;

public sealed class DataDirectoryLockTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Acquire_creates_the_directory_and_the_lock_file()
    {
        var directory = Path.Combine(_root.Path, "data");

        using var dataLock = DataDirectoryLock.Acquire(directory);

        Assert.Equal(directory, dataLock.DirectoryPath);
        Assert.Equal(Path.Combine(directory, ".lock"), dataLock.LockFilePath);
        Assert.True(File.Exists(dataLock.LockFilePath));
    }

    [Fact]
    public void A_second_lock_on_the_same_directory_fails_while_the_first_is_held()
    {
        using var first = DataDirectoryLock.Acquire(_root.Path);

        var error = Assert.Throws<DataDirectoryInUseException>(() => DataDirectoryLock.Acquire(_root.Path));

        Assert.Equal($"data directory {_root.Path} is in use by another process (its .lock file is locked)", error.Message);
        Assert.Equal(_root.Path, error.DirectoryPath);
        Assert.IsAssignableFrom<IOException>(error.InnerException);
    }

    [Fact]
    public void The_lock_can_be_taken_again_after_dispose()
    {
        DataDirectoryLock.Acquire(_root.Path).Dispose();

        using var again = DataDirectoryLock.Acquire(_root.Path);

        Assert.True(File.Exists(again.LockFilePath));
    }

    [Fact]
    public void Dispose_is_idempotent()
    {
        var dataLock = DataDirectoryLock.Acquire(_root.Path);
        dataLock.Dispose();
        dataLock.Dispose();
    }

    [Fact]
    public void Other_directories_are_independent()
    {
        using var first = DataDirectoryLock.Acquire(Path.Combine(_root.Path, "a"));
        using var second = DataDirectoryLock.Acquire(Path.Combine(_root.Path, "b"));
    }

    [Fact]
    public void The_lock_file_names_the_owning_process()
    {
        using var dataLock = DataDirectoryLock.Acquire(_root.Path);

        // A .NET FileStream opened for reading would itself request a shared flock and fail
        // while the lock is held; cat(1) does not lock, like a human inspecting the file.
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/cat"))
        {
            return;
        }

        Assert.Equal($"{Environment.ProcessId}\n", Run("/bin/cat", dataLock.LockFilePath).Output);
    }

    [Fact]
    public void Another_process_using_flock_cannot_take_the_lock_while_held()
    {
        // Cross-process check with util-linux flock(1), which uses the same flock(2) advisory
        // lock as .NET's FileShare.None on Unix.
        const string Flock = "/usr/bin/flock";
        if (!OperatingSystem.IsLinux() || !File.Exists(Flock))
        {
            return;
        }

        string lockFile;
        using (var dataLock = DataDirectoryLock.Acquire(_root.Path))
        {
            lockFile = dataLock.LockFilePath;
            Assert.Equal(1, Run(Flock, "--nonblock", "--exclusive", lockFile, "true").ExitCode);
        }

        Assert.Equal(0, Run(Flock, "--nonblock", "--exclusive", lockFile, "true").ExitCode);
    }

    private static (int ExitCode, string Output) Run(string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
