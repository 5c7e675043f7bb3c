using System.Globalization;
using System.Text.Json;
using OrleansRegistry.LoadTest;

// OrleansRegistry.LoadTest: seed | run | report. See benchmarks/README.md.
const string Usage = """
usage:
  OrleansRegistry.LoadTest seed --url URL [--repo bench/app] [--tag v1] [--large-mib 50]
  OrleansRegistry.LoadTest run  --url URL [--scenarios a,b,...|all] [--duration 5] [--warmup 1]
        [--connections 64] [--blob-connections 4] [--range-connections 32] [--mix-connections 16]
        [--push-iterations 3] [--push-mib 128] [--chunk-mib 8] [--kubelets 200] [--kubelet-concurrency 32]
        [--max-requests N] [--timeout 60] [--target NAME] [--round N] [--server-pid PID] [--out results.jsonl]
        [--user U --password P]   token auth with a cached token (any scenario, and seed)
        [--upload-mib 1024] [--seed-tags 50000] [--seed-concurrency 16] [--tag-pushes 40]
  OrleansRegistry.LoadTest seed-blobs --url URL [--repo bench/gc] [--count 100000] [--repositories 100] [--seed-concurrency 16]
        (small distinct blobs, uploaded monolithically, referenced by nothing: what a GC pass goes through)
  OrleansRegistry.LoadTest report results.jsonl [--baseline distribution] [--candidate orleans] [--goals peer|overhead|gc]
scenarios: manifest-tag manifest-digest blob-head blob-get blob-range push-mono push-chunked pull-storm mix
opt-in (not in "all"): upload-rss (peak VmRSS of --server-pid while one --upload-mib upload streams),
        tag-push-50k (one tag push into a repository of --seed-tags tags against an empty one; seeds once)
""";

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    return args[0] switch
    {
        "seed" => await SeedAsync(Parse(args[1..])),
        "seed-blobs" => await SeedBlobsAsync(Parse(args[1..])),
        "run" => await RunAsync(Parse(args[1..])),
        "report" => Report.Print(args[1..]),
        _ => throw new ArgumentException($"unknown command '{args[0]}'"),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

static async Task<int> SeedAsync(LoadOptions o)
{
    using var client = new RegistryClient(o.Url, 4);
    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(o.ScenarioTimeout));
    var image = await TestImage.SeedAsync(client, o.Repository, o.Tag, o.LargeLayerMiB, cts.Token);
    Console.WriteLine($"seeded {o.Url} {image.Repository}:{image.Tag} = {image.ManifestDigest} (config + {image.Layers.Count} layers, largest {image.LargestLayer.Size / 1048576} MiB)");
    return 0;
}

static async Task<int> SeedBlobsAsync(LoadOptions o)
{
    using var client = new RegistryClient(o.Url, o.SeedConcurrency);
    var run = Guid.NewGuid().ToString("N");
    var clock = System.Diagnostics.Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, o.BlobCount), new ParallelOptions { MaxDegreeOfParallelism = o.SeedConcurrency }, async (i, ct) =>
    {
        var blob = System.Text.Encoding.UTF8.GetBytes($"seed-{run}-{i}");
        await client.PushMonolithicAsync($"{o.Repository}-{i % o.BlobRepositories}", blob, RegistryClient.Sha256(blob), ct);
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"seeded {o.BlobCount} blobs into {o.BlobRepositories} repositories of {o.Url} in {clock.Elapsed.TotalSeconds:F1} s ({o.BlobCount / clock.Elapsed.TotalSeconds:F0}/s)"));
    return 0;
}

static async Task<int> RunAsync(LoadOptions o)
{
    using var client = new RegistryClient(o.Url, 1);
    using var cts = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
    var image = await TestImage.DiscoverAsync(client, o.Repository, o.Tag, cts.Token);
    var scenarios = new Scenarios(o, image);
    var names = o.Scenarios.Count == 0 || o.Scenarios.Contains("all") ? Scenarios.All : o.Scenarios.ToArray();
    var failed = 0;
    foreach (var name in names)
    {
        var result = await scenarios.RunAsync(name, cts.Token);
        failed += result.Errors > 0 ? 1 : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{o.Target,-14} {name,-16} {result.Value,10:F1} {result.Unit,-6} p50 {result.P50Ms,8:F2} ms  p99 {result.P99Ms,8:F2} ms  n={result.Requests} err={result.Errors} server-cpu={result.ServerCpuPercent:F0}% client-cpu={result.ClientCpuPercent:F0}%"));
        if (o.Out is not null)
        {
            await File.AppendAllTextAsync(o.Out, JsonSerializer.Serialize(result, Report.Json) + "\n");
        }
    }

    return failed == 0 ? 0 : 1;
}

static LoadOptions Parse(string[] args)
{
    var o = new LoadOptions();
    for (var i = 0; i < args.Length; i++)
    {
        var key = args[i];
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{key} needs a value");
        int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
        double Double() => double.Parse(Value(), CultureInfo.InvariantCulture);
        switch (key)
        {
            case "--url": o.Url = new Uri(Value()); break;
            case "--repo": o.Repository = Value(); break;
            case "--count": o.BlobCount = Int(); break;
            case "--repositories": o.BlobRepositories = Int(); break;
            case "--tag": o.Tag = Value(); break;
            case "--target": o.Target = Value(); break;
            case "--round": o.Round = Int(); break;
            case "--scenarios": o.Scenarios.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
            case "--duration": o.Duration = Double(); break;
            case "--warmup": o.Warmup = Double(); break;
            case "--max-requests": o.MaxRequests = Int(); break;
            case "--connections": o.Connections = Int(); break;
            case "--blob-connections": o.BlobConnections = Int(); break;
            case "--range-connections": o.RangeConnections = Int(); break;
            case "--mix-connections": o.MixConnections = Int(); break;
            case "--push-iterations": o.PushIterations = Int(); break;
            case "--push-mib": o.PushMiB = Int(); break;
            case "--chunk-mib": o.ChunkMiB = Int(); break;
            case "--kubelets": o.Kubelets = Int(); break;
            case "--kubelet-concurrency": o.KubeletConcurrency = Int(); break;
            case "--large-mib": o.LargeLayerMiB = Int(); break;
            case "--timeout": o.ScenarioTimeout = Double(); break;
            case "--server-pid": o.ServerPid = Int(); break;
            case "--out": o.Out = Value(); break;
            case "--user": o.User = Value(); break;
            case "--password": o.Password = Value(); break;
            case "--upload-mib": o.UploadMiB = Int(); break;
            case "--seed-tags": o.SeedTags = Int(); break;
            case "--seed-concurrency": o.SeedConcurrency = Int(); break;
            case "--tag-pushes": o.TagPushes = Int(); break;
            default: throw new ArgumentException($"unknown option '{key}'");
        }
    }

    if (o.Duration is <= 0 or > 600 || o.Warmup is < 0 or > 60 || o.ScenarioTimeout is <= 0 or > 1800)
    {
        throw new ArgumentException("--duration must be in (0, 600], --warmup in [0, 60], --timeout in (0, 1800]");
    }

    if (o.User is not null)
    {
        RegistryClient.Credentials = (o.User, o.Password ?? "");
    }

    if (o.SeedConcurrency is < 1 or > 256 || o.SeedTags is < 0 or > 1_000_000 || o.TagPushes is < 1 or > 10_000 || o.UploadMiB is < 1 or > 65_536)
    {
        throw new ArgumentException("--seed-concurrency in [1, 256], --seed-tags in [0, 1000000], --tag-pushes in [1, 10000], --upload-mib in [1, 65536]");
    }

    if (!o.Url.IsLoopback)
    {
        throw new ArgumentException("the load test only targets loopback addresses");
    }

    return o;
}
