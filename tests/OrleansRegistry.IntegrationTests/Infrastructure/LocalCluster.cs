using System.Diagnostics;
using System.Text.Json;

namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>
/// A real cluster on loopback through scripts/cluster.sh: Redis, Azurite, gateway silo processes
/// and the edge. Stopped (cluster.sh down) and deleted on dispose.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly ITestOutputHelper _log;

    private readonly IReadOnlyDictionary<string, string> _environment;

    private LocalCluster(string directory, ITestOutputHelper log, IReadOnlyDictionary<string, string>? environment)
    {
        Directory = directory;
        _log = log;
        _environment = environment ?? new Dictionary<string, string>();
    }

    public string Directory { get; }

    public Uri EdgeUrl => new(File.ReadAllText(Path.Combine(Directory, "edge.url")).Trim());

    /// <param name="environment">Environment of the silos (configuration keys as <c>Registry__Section__Key</c>).</param>
    public static async Task<LocalCluster> StartAsync(
        int silos, int basePort, ITestOutputHelper log, string blobs = "azure", IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "orleans-registry-cluster", Guid.NewGuid().ToString("N"));
        var cluster = new LocalCluster(directory, log, environment);
        try
        {
            var started = Stopwatch.StartNew();
            await cluster.ScriptAsync("up", "--silos", silos.ToString(), "--base-port", basePort.ToString(), "--blobs", blobs);
            log.WriteLine($"cluster.sh up --silos {silos}: {started.Elapsed.TotalSeconds:F1} s");
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>The connection string of the cluster's Azurite (scripts/cluster.sh starts it at the base port + 1), with its documented development key.</summary>
    public static string AzuriteConnection(int port) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        + $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    public Uri SiloUrl(int silo) => new(File.ReadAllText(Path.Combine(Directory, $"silo-{silo}.url")).Trim());

    public HttpClient Edge() => new() { BaseAddress = EdgeUrl, Timeout = TimeSpan.FromSeconds(60) };

    public HttpClient Silo(int silo) => new() { BaseAddress = SiloUrl(silo), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>kill -9 of a silo process: a crash, nothing is flushed or handed over.</summary>
    public void Kill(int silo)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(Directory, $"silo-{silo}.pid")).Trim());
        using var process = Process.GetProcessById(pid);
        process.Kill();
        process.WaitForExit(10_000);
        _log.WriteLine($"killed silo {silo} (pid {pid})");
    }

    /// <summary>Starts one more silo; returns its number.</summary>
    public async Task<int> AddSiloAsync()
    {
        var output = await ScriptAsync("add-silo");
        var number = int.Parse(output.Split("silo ", StringSplitOptions.None)[^1].Split(' ')[0]);
        _log.WriteLine($"added silo {number}");
        return number;
    }

    /// <summary>The silo URLs the edge routes to now.</summary>
    public async Task<string[]> RoutedAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var json = await client.GetStringAsync(new Uri(EdgeUrl, "/_edge/silos"));
        return [.. JsonSerializer.Deserialize<Dictionary<string, string>>(json)!.Values.Order()];
    }

    /// <summary>Polls until the edge routes to exactly these silos.</summary>
    public async Task WaitRoutedAsync(TimeSpan timeout, params int[] silos)
    {
        var want = silos.Select(s => SiloUrl(s).ToString().TrimEnd('/')).Order().ToArray();
        var deadline = DateTime.UtcNow + timeout;
        string[] routed = [];
        while (DateTime.UtcNow < deadline)
        {
            routed = await RoutedAsync();
            if (routed.SequenceEqual(want))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the edge routes to [{string.Join(", ", routed)}], not [{string.Join(", ", want)}]");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(Directory, "cluster.env")))
            {
                await ScriptAsync("down");
            }
        }
        finally
        {
            foreach (var log in System.IO.Directory.Exists(Directory) ? System.IO.Directory.GetFiles(Directory, "*.log") : [])
            {
                _log.WriteLine($"--- {Path.GetFileName(log)} (last lines)");
                foreach (var line in File.ReadLines(log).TakeLast(15))
                {
                    _log.WriteLine(line);
                }
            }

            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task<string> ScriptAsync(params string[] args)
    {
        var script = Path.Combine(RegistryProcess.RepositoryRoot, "scripts", "cluster.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(args[0]);
        start.ArgumentList.Add("--dir");
        start.ArgumentList.Add(Directory);
        foreach (var arg in args.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CONFIGURATION"] = RegistryProcess.Configuration;
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cluster.sh {string.Join(' ', args)} failed ({process.ExitCode}):\n{output}");
        }

        return output;
    }
}
