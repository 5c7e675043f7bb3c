using System.Diagnostics;
using System.Text;

namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>Runs a command-line client (podman, ctr, skopeo) with its own environment; logs the command line and output.</summary>
public static class ExternalTool
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        ITestOutputHelper log, string fileName, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        var shown = string.Join(' ', arguments.Select(a => a.Contains("-pass", StringComparison.Ordinal) ? "***" : a));
        log.WriteLine($"$ {fileName} {shown}\n{output}(exit {process.ExitCode})");
        return (process.ExitCode, output);
    }
}

/// <summary>
/// A private containerd (what <c>ctr</c> talks to) with everything in a temp directory, the CRI plugin
/// off and the native snapshotter, as ../shared/e2e/e2e.sh starts it. Disposing stops it.
/// </summary>
public sealed class PrivateContainerd : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _log;

    private PrivateContainerd(Process process, string directory, ITestOutputHelper log)
    {
        _process = process;
        _log = log;
        Environment = new Dictionary<string, string>
        {
            ["CONTAINERD_ADDRESS"] = Path.Combine(directory, "c.sock"),
            ["CONTAINERD_SNAPSHOTTER"] = "native",
        };
    }

    /// <summary>What <c>ctr</c> needs to reach this containerd.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public static async Task<PrivateContainerd> StartAsync(string directory, ITestOutputHelper log)
    {
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{directory}/root"
            state = "{directory}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
              "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
              "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
              "io.containerd.internal.v1.tracing"]
            [grpc]
              address = "{directory}/c.sock"
            [ttrpc]
              address = "{directory}/c.sock.ttrpc"
            [plugins."io.containerd.internal.v1.opt"]
              path = "{directory}/opt"
            """);
        var info = new ProcessStartInfo("containerd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var containerd = new PrivateContainerd(process, directory, log);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (process.HasExited)
            {
                break;
            }

            var (exit, _) = await ExternalTool.RunAsync(new SilentLog(), "ctr", containerd.Environment, "version");
            if (exit == 0)
            {
                return containerd;
            }

            await Task.Delay(200);
        }

        await containerd.DisposeAsync();
        throw new InvalidOperationException("containerd did not come up");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _log.WriteLine($"containerd {_process.Id} stopped");
        _process.Dispose();
    }

}

/// <summary>A test log that keeps nothing, for polling commands.</summary>
internal sealed class SilentLog : ITestOutputHelper
{
    public void WriteLine(string message)
    {
    }

    public void WriteLine(string format, params object[] args)
    {
    }
}
