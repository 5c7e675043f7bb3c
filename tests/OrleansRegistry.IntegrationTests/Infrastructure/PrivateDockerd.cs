using System.Diagnostics;

namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>
/// A private docker daemon (Debian's docker.io) as ../shared/e2e/e2e.sh starts it: vfs storage, no
/// networking of its own, everything in a temp directory, and a client configuration of its own
/// (<c>DOCKER_CONFIG</c>), so the machine's daemon and credentials are never touched. docker treats
/// 127.0.0.0/8 registries as insecure, so plain HTTP works. Disposing stops it.
/// </summary>
public sealed class PrivateDockerd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly string _execRoot;
    private readonly ITestOutputHelper _log;

    private PrivateDockerd(Process process, string directory, string execRoot, ITestOutputHelper log)
    {
        _process = process;
        _directory = directory;
        _execRoot = execRoot;
        _log = log;
        ConfigPath = Path.Combine(directory, "cfg", "config.json");
        Environment = new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = $"unix://{directory}/d.sock",
            ["DOCKER_CONFIG"] = Path.Combine(directory, "cfg"),
        };
    }

    /// <summary>What the <c>docker</c> client needs to reach this daemon, with its own configuration.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The client's configuration file, where <c>docker login</c> keeps credentials.</summary>
    public string ConfigPath { get; }

    public Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync(_log, "docker", Environment, arguments);

    public static async Task<PrivateDockerd> StartAsync(string directory, ITestOutputHelper log)
    {
        Directory.CreateDirectory(Path.Combine(directory, "cfg"));

        // The exec root holds sockets: a short path, under the 108-byte limit of a socket address.
        var execRoot = Path.Combine("/tmp", $"dkd-{Guid.NewGuid():N}"[..12]);
        var info = new ProcessStartInfo("dockerd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
            "--data-root", Path.Combine(directory, "root"), "--exec-root", execRoot,
            "-H", $"unix://{directory}/d.sock", "--pidfile", Path.Combine(directory, "pid"),
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var daemon = new PrivateDockerd(process, directory, execRoot, log);
        for (var attempt = 0; attempt < 100 && !process.HasExited; attempt++)
        {
            var (exit, _) = await ExternalTool.RunAsync(new SilentLog(), "docker", daemon.Environment, "info");
            if (exit == 0)
            {
                return daemon;
            }

            await Task.Delay(200);
        }

        await daemon.DisposeAsync();
        throw new InvalidOperationException("dockerd did not come up");
    }

    public async ValueTask DisposeAsync()
    {
        // SIGTERM first: dockerd then unmounts what it mounted (its data root among them); a kill
        // would leave the mounts, and the temp directory could not be deleted.
        if (!_process.HasExited)
        {
            await ExternalTool.RunAsync(new SilentLog(), "kill", new Dictionary<string, string>(), "-TERM", $"{_process.Id}");
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }

        foreach (var mount in MountsUnder(_directory).Concat(MountsUnder(_execRoot)).Reverse())
        {
            await ExternalTool.RunAsync(new SilentLog(), "umount", new Dictionary<string, string>(), "-l", mount);
        }

        _log.WriteLine($"dockerd {_process.Id} stopped");
        _process.Dispose();
        if (Directory.Exists(_execRoot))
        {
            Directory.Delete(_execRoot, recursive: true);
        }
    }

    private static IEnumerable<string> MountsUnder(string directory) =>
        File.ReadAllLines("/proc/self/mounts")
            .Select(line => line.Split(' ')[1])
            .Where(point => point == directory || point.StartsWith(directory + "/", StringComparison.Ordinal))
            .ToList();
}
