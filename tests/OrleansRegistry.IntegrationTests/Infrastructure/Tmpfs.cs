using System.Diagnostics;

namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>A small tmpfs mounted on a fresh directory (needs root); unmounted lazily and removed on dispose.</summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    public static Tmpfs Mount(string size)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orleans-registry-it", "tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        if (exitCode != 0)
        {
            Directory.Delete(path);
            Assert.Fail($"could not mount a {size} tmpfs on {path} (this test needs root and mount): exit {exitCode}: {output}");
        }

        return new Tmpfs(path);
    }

    /// <summary>Total size in bytes of the regular files under <paramref name="relative"/>.</summary>
    public long FileBytes(string relative)
    {
        var directory = System.IO.Path.Combine(Path, relative);
        return Directory.Exists(directory)
            ? new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
            : 0;
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{file} did not finish within 30 s");
            }

            return (process.ExitCode, stdout.Result + stderr);
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return (-1, $"{file}: {error.Message}");
        }
    }
}
