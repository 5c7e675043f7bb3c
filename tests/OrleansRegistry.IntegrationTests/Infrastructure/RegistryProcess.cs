using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>
/// The registry server as a separate OS process (<c>dotnet OrleansRegistry.Server.dll</c>) on
/// loopback ports of its own. Captures stdout and stderr; disposing kills it if still running
/// and writes the captured output to the test's output.
/// </summary>
public sealed partial class RegistryProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly ITestOutputHelper? _log;
    private readonly Stopwatch _sinceStart;

    private RegistryProcess(Process process, Stopwatch sinceStart, Uri baseAddress, string dataPath, int gatewayPort, ITestOutputHelper? log)
    {
        _process = process;
        _sinceStart = sinceStart;
        _log = log;
        HttpPort = baseAddress.Port;
        DataPath = dataPath;
        BaseAddress = baseAddress;
        GatewayPort = gatewayPort;
    }

    public int HttpPort { get; }

    /// <summary>The silo's Orleans gateway port (what an edge in localhost mode connects to); 0 for an edge.</summary>
    public int GatewayPort { get; }

    public string DataPath { get; }

    public Uri BaseAddress { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved (stderr lines prefixed).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The build configuration these tests run in (the server is taken from the same one).</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "OrleansRegistry.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"no OrleansRegistry.sln above {AppContext.BaseDirectory}");
        }
    }

    public static string ServerAssembly => Assembly("OrleansRegistry.Server");

    public static string EdgeAssembly => Assembly("OrleansRegistry.Edge");

    /// <summary>Starts the server on fresh loopback ports with <paramref name="dataPath"/>; does not wait for it.</summary>
    public static RegistryProcess Start(string dataPath, ITestOutputHelper? log = null, params string[] extraArgs)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var gatewayPort = FreePort.Next();
        return Launch(ServerAssembly, baseAddress, dataPath, gatewayPort, log,
        [
            $"--Registry:DataPath={dataPath}",
            $"--Registry:Silo:SiloPort={FreePort.Next()}",
            $"--Registry:Silo:GatewayPort={gatewayPort}",
            .. extraArgs,
        ]);
    }

    /// <summary>Starts an edge in front of the localhost-clustered <paramref name="silo"/>, on <paramref name="scheme"/>; does not wait for it.</summary>
    public static RegistryProcess StartEdge(RegistryProcess silo, string scheme, ITestOutputHelper? log = null, params string[] extraArgs) =>
        Launch(EdgeAssembly, new Uri($"{scheme}://127.0.0.1:{FreePort.Next()}"), "", 0, log,
        [
            "--Edge:Clustering=Localhost",
            $"--Edge:LocalhostGatewayPort={silo.GatewayPort}",
            .. extraArgs,
        ]);

    private static string Assembly(string project)
    {
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", $"{project}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} not built: {path}", path);
    }

    private static RegistryProcess Launch(string assembly, Uri baseAddress, string dataPath, int gatewayPort, ITestOutputHelper? log, string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        foreach (var argument in new[] { assembly, "--urls", baseAddress.ToString().TrimEnd('/') }.Concat(args))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var clock = Stopwatch.StartNew();
        var result = new RegistryProcess(process, clock, baseAddress, dataPath, gatewayPort, log);
        process.OutputDataReceived += (_, e) => result.Append(e.Data, null);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data, "err| ");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Starts and waits until <c>GET /v2/</c> answers 200 (or 401 in token auth mode).</summary>
    public static async Task<RegistryProcess> StartReadyAsync(string dataPath, ITestOutputHelper? log = null, params string[] extraArgs)
    {
        var process = Start(dataPath, log, extraArgs);
        try
        {
            await process.WaitReadyAsync(TimeSpan.FromSeconds(60));
            return process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Polls <c>GET /v2/</c> until 200 (or a token auth challenge, 401); returns the time from process start. Fails with the output if the process exits or the timeout passes.</summary>
    public async Task<TimeSpan> WaitReadyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {_process.ExitCode} before it was ready\n{await DrainedOutputAsync()}");
            }

            try
            {
                using var response = await client.GetAsync("/v2/");
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return _sinceStart.Elapsed;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"the server was not ready within {timeout}\n{Output}");
    }

    /// <summary>kill -9 of the server (and anything it started); returns once it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM and wait for a clean exit; kills it if it does not exit within <paramref name="timeout"/>. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            if (OperatingSystem.IsWindows())
            {
                _process.Kill(entireProcessTree: true);
            }
            else
            {
                _ = SendSignal(_process.Id, SigTerm);
            }

            using var wait = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
                throw new TimeoutException($"the server did not stop within {timeout} of SIGTERM\n{Output}");
            }
        }

        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    /// <summary>Waits for the process to exit on its own (e.g. refused start); kills it and fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"the process did not exit within {timeout}\n{Output}");
        }

        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        if (_log is not null)
        {
            try
            {
                _log.WriteLine($"--- server pid {_process.Id} on port {HttpPort} (exit {_process.ExitCode}) output ---\n{Output}");
            }
            catch (InvalidOperationException)
            {
                // The test is already over; nobody to tell.
            }
        }

        _process.Dispose();
    }

    private async Task<string> DrainedOutputAsync()
    {
        // WaitForExit without timeout also waits for the redirected streams to reach EOF.
        await _process.WaitForExitAsync();
        return Output;
    }

    private void Append(string? line, string? prefix)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(prefix).AppendLine(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}

/// <summary>
/// Loopback ports for the processes these tests start, from 27000-31999: below the kernel's ephemeral
/// range (32768-60999), so no outgoing connection of a test running in parallel can take one in the
/// second or two before the child process binds it, as it can an OS-chosen free port; and never the
/// same one twice in this test run. (The cluster tests' fixed ports are 17xxx-18xxx.)
/// </summary>
public static class FreePort
{
    private const int First = 27000;
    private const int Count = 5000;
    private static int _offset = Random.Shared.Next(Count);

    public static int Next()
    {
        for (var tried = 0; tried < Count; tried++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _offset) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Bound by someone else: the next one.
            }
        }

        throw new InvalidOperationException($"no free loopback port in {First}-{First + Count - 1}");
    }
}
