using System.Diagnostics;
using System.Net;

namespace OrleansRegistry.LoadTest;

/// <summary>The scenarios. Each returns one <see cref="ScenarioResult"/>.</summary>
public sealed class Scenarios(LoadOptions options, TestImage image)
{
    public static readonly string[] All =
        ["manifest-tag", "manifest-digest", "blob-head", "blob-get", "blob-range", "push-mono", "push-chunked", "push-image", "pull-storm", "mix"];

    private const double MiB = 1024 * 1024;

    public Task<ScenarioResult> RunAsync(string name, CancellationToken ct) => name switch
    {
        "manifest-tag" => ManifestAsync(name, image.Tag, ct),
        "manifest-digest" => ManifestAsync(name, image.ManifestDigest, ct),
        "blob-head" => BlobHeadAsync(ct),
        "blob-get" => BlobGetAsync(ct),
        "blob-range" => BlobRangeAsync(ct),
        "push-mono" => PushAsync(name, chunked: false, ct),
        "push-chunked" => PushAsync(name, chunked: true, ct),
        "push-image" => PushImageAsync(ct),
        "pull-storm" => PullStormAsync(ct),
        "mix" => MixAsync(ct),
        "upload-rss" => new TargetScenarios(options).UploadRssAsync(image.Repository, ct),
        "tag-push-50k" => new TargetScenarios(options).TagPushAsync(image.Repository, ct),
        _ => throw new ArgumentException($"unknown scenario '{name}'; known: {string.Join(", ", All)}"),
    };

    private Task<ScenarioResult> ManifestAsync(string name, string reference, CancellationToken ct) =>
        RequestRateAsync(name, options.Connections, "req/s", async (client, rec) =>
        {
            var start = Stopwatch.GetTimestamp();
            using var request = RegistryClient.ManifestRequest(HttpMethod.Get, image.Repository, reference);
            var n = await client.SendAndDrainAsync(request, HttpStatusCode.OK, ct).ConfigureAwait(false);
            rec.Record(start, n);
        }, ct);

    private Task<ScenarioResult> BlobHeadAsync(CancellationToken ct) =>
        RequestRateAsync("blob-head", options.Connections, "req/s", async (client, rec) =>
        {
            var start = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{image.Repository}/blobs/{image.LargestLayer.Digest}");
            await client.SendAndDrainAsync(request, HttpStatusCode.OK, ct).ConfigureAwait(false);
            rec.Record(start);
        }, ct);

    private Task<ScenarioResult> BlobGetAsync(CancellationToken ct) =>
        RequestRateAsync("blob-get", options.BlobConnections, "MiB/s", async (client, rec) =>
        {
            var start = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{image.Repository}/blobs/{image.LargestLayer.Digest}");
            var n = await client.SendAndDrainAsync(request, HttpStatusCode.OK, ct).ConfigureAwait(false);
            if (n != image.LargestLayer.Size)
            {
                throw new HttpRequestException($"blob GET returned {n} bytes, expected {image.LargestLayer.Size}");
            }

            rec.Record(start, n);
        }, ct);

    private Task<ScenarioResult> BlobRangeAsync(CancellationToken ct)
    {
        const int rangeSize = 1024 * 1024;
        var ranges = (int)(image.LargestLayer.Size / rangeSize);
        return RequestRateAsync("blob-range", options.RangeConnections, "MiB/s", async (client, rec) =>
        {
            var offset = (long)Random.Shared.Next(ranges) * rangeSize;
            var start = Stopwatch.GetTimestamp();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{image.Repository}/blobs/{image.LargestLayer.Digest}");
            request.Headers.TryAddWithoutValidation("Range", $"bytes={offset}-{offset + rangeSize - 1}");
            var n = await client.SendAndDrainAsync(request, HttpStatusCode.PartialContent, ct).ConfigureAwait(false);
            if (n != rangeSize)
            {
                throw new HttpRequestException($"range GET returned {n} bytes");
            }

            rec.Record(start, n);
        }, ct);
    }

    /// <summary>
    /// Sequential pushes of fresh random blobs; the bytes and their digest are made before the clock
    /// starts, so only the upload is timed.
    /// </summary>
    private async Task<ScenarioResult> PushAsync(string name, bool chunked, CancellationToken ct)
    {
        using var client = new RegistryClient(options.Url, 1);
        var blob = GC.AllocateUninitializedArray<byte>(options.PushMiB * 1024 * 1024);
        var rec = new LatencyRecorder();
        var measured = TimeSpan.Zero;
        var budget = Stopwatch.StartNew();
        var cpu = CpuMeter.Start(options.ServerPid);
        var serverCpuSeconds = 0.0;
        var clientCpuSeconds = 0.0;

        // One push of two chunks first, not timed: the generator's own code is compiled before the clock runs.
        var warmUp = blob.AsMemory(0, Math.Min(blob.Length, 2 * options.ChunkMiB * 1024 * 1024));
        Random.Shared.NextBytes(warmUp.Span);
        await PushOnceAsync(client, warmUp, RegistryClient.Sha256(warmUp.Span), chunked, ct).ConfigureAwait(false);
        for (var i = 0; i < options.PushIterations && (i == 0 || budget.Elapsed.TotalSeconds < options.Duration * 2); i++)
        {
            Random.Shared.NextBytes(blob);
            var digest = RegistryClient.Sha256(blob);
            cpu = CpuMeter.Start(options.ServerPid);
            var start = Stopwatch.GetTimestamp();
            await PushOnceAsync(client, blob, digest, chunked, ct).ConfigureAwait(false);
            measured += Stopwatch.GetElapsedTime(start);
            rec.Record(start, blob.Length);
            var (server, self) = cpu.Stop();
            serverCpuSeconds += server;
            clientCpuSeconds += self;
        }

        var s = LatencyRecorder.Merge([rec]);
        return Result(name, "MiB/s", s.Bytes / MiB / measured.TotalSeconds, s, measured.TotalSeconds,
            serverCpuSeconds, clientCpuSeconds, chunked ? $"{s.Count} x {options.PushMiB} MiB in {options.PushMiB / options.ChunkMiB} PATCHes" : $"{s.Count} x {options.PushMiB} MiB");
    }

    /// <summary>
    /// Small images pushed as a client does, 4 at a time: a config and a 4 KiB layer (monolithic POSTs)
    /// and the manifest by a new tag; the rate is images per second, the latency that of one image.
    /// Every request is a write, so this is the push path's cost of anything recorded with writes (events).
    /// </summary>
    private Task<ScenarioResult> PushImageAsync(CancellationToken ct) =>
        RequestRateAsync("push-image", 4, "images/s", async (client, rec) =>
        {
            var config = System.Text.Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"id\":\"{Guid.NewGuid():N}\"}}");
            var layer = new byte[4096];
            Random.Shared.NextBytes(layer);
            var start = Stopwatch.GetTimestamp();
            var configDigest = RegistryClient.Sha256(config);
            var layerDigest = RegistryClient.Sha256(layer);
            await client.PushMonolithicAsync(image.Repository, config, configDigest, ct).ConfigureAwait(false);
            await client.PushMonolithicAsync(image.Repository, layer, layerDigest, ct).ConfigureAwait(false);
            var manifest = RegistryClient.ImageManifest(
                new Descriptor(TestImage.ConfigMediaType, configDigest, config.Length),
                [new Descriptor(TestImage.LayerMediaType, layerDigest, layer.Length)]);
            await client.PutManifestAsync(image.Repository, "push-" + Guid.NewGuid().ToString("N")[..12], manifest, ct).ConfigureAwait(false);
            rec.Record(start, config.Length + layer.Length + manifest.Length);
        }, ct);

    private Task PushOnceAsync(RegistryClient client, ReadOnlyMemory<byte> blob, string digest, bool chunked, CancellationToken ct) =>
        chunked
            ? client.PushChunkedAsync(image.Repository, blob, options.ChunkMiB * 1024 * 1024, digest, ct)
            : client.PushMonolithicAsync(image.Repository, blob, digest, ct);

    /// <summary>
    /// N kubelets, C at a time, each doing what containerd does for one image: HEAD the tag,
    /// GET the manifest by digest, GET the config and every layer (layers one after another).
    /// </summary>
    private async Task<ScenarioResult> PullStormAsync(CancellationToken ct)
    {
        using var client = new RegistryClient(options.Url, options.KubeletConcurrency);
        var next = -1;
        var recorders = new LatencyRecorder[options.KubeletConcurrency];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.ScenarioTimeout));
        var cpu = CpuMeter.Start(options.ServerPid);
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.KubeletConcurrency).Select(async w =>
        {
            var rec = recorders[w] = new LatencyRecorder();
            while (Interlocked.Increment(ref next) < options.Kubelets && !timeout.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    rec.Record(start, await PullImageAsync(client, includeLargest: true, timeout.Token).ConfigureAwait(false));
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    rec.Error();
                }
            }
        })).ConfigureAwait(false);
        wall.Stop();
        var (server, self) = cpu.Stop();
        var s = LatencyRecorder.Merge(recorders);
        return Result("pull-storm", "s", wall.Elapsed.TotalSeconds, s, wall.Elapsed.TotalSeconds, server, self,
            $"{options.Kubelets} kubelets, {options.KubeletConcurrency} at a time, {s.Bytes / MiB / wall.Elapsed.TotalSeconds:F0} MiB/s; latency = one kubelet's pull");
    }

    /// <summary>75% pulls (without the large layer), 25% pushes (a fresh 1 MiB layer and a manifest under a new tag).</summary>
    private async Task<ScenarioResult> MixAsync(CancellationToken ct)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var counter = 0;
        var pushed = 0;
        var result = await RequestRateAsync("mix", options.MixConnections, "ops/s", async (client, rec) =>
        {
            if (Random.Shared.Next(4) != 0)
            {
                var start = Stopwatch.GetTimestamp();
                rec.Record(start, await PullImageAsync(client, includeLargest: false, ct).ConfigureAwait(false));
            }
            else
            {
                var layer = new byte[1024 * 1024];
                Random.Shared.NextBytes(layer);
                var digest = RegistryClient.Sha256(layer);
                var descriptor = new Descriptor(TestImage.LayerMediaType, digest, layer.Length);
                var manifest = RegistryClient.ImageManifest(image.Config, [descriptor]);
                var tag = $"mix-{runId}-{Interlocked.Increment(ref counter)}";
                var start = Stopwatch.GetTimestamp();
                await client.PushMonolithicAsync(image.Repository, layer, digest, ct).ConfigureAwait(false);
                await client.PutManifestAsync(image.Repository, tag, manifest, ct).ConfigureAwait(false);
                rec.Record(start, layer.Length);
                Interlocked.Increment(ref pushed);
            }
        }, ct).ConfigureAwait(false);
        return result with { Note = $"{options.MixConnections} connections; pull = HEAD tag, GET manifest by digest, config, small layers; push = 1 MiB layer + manifest with a new tag; {pushed} pushes incl. warm-up" };
    }

    private async Task<long> PullImageAsync(RegistryClient client, bool includeLargest, CancellationToken ct)
    {
        long bytes = 0;
        using (var head = RegistryClient.ManifestRequest(HttpMethod.Head, image.Repository, image.Tag))
        {
            await client.SendAndDrainAsync(head, HttpStatusCode.OK, ct).ConfigureAwait(false);
        }

        using (var get = RegistryClient.ManifestRequest(HttpMethod.Get, image.Repository, image.ManifestDigest))
        {
            bytes += await client.SendAndDrainAsync(get, HttpStatusCode.OK, ct).ConfigureAwait(false);
        }

        foreach (var blob in image.Layers.Where(l => includeLargest || l != image.LargestLayer).Prepend(image.Config))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{image.Repository}/blobs/{blob.Digest}");
            var n = await client.SendAndDrainAsync(request, HttpStatusCode.OK, ct).ConfigureAwait(false);
            if (n != blob.Size)
            {
                throw new HttpRequestException($"blob {blob.Digest}: {n} bytes, expected {blob.Size}");
            }

            bytes += n;
        }

        return bytes;
    }

    /// <summary>
    /// A closed loop: <paramref name="connections"/> workers, each sending its next request when the
    /// previous one is answered; first a warm-up, then the measured phase. Bounded by duration and count.
    /// </summary>
    private async Task<ScenarioResult> RequestRateAsync(string name, int connections, string unit, Func<RegistryClient, LatencyRecorder, Task> op, CancellationToken ct)
    {
        using var client = new RegistryClient(options.Url, connections);
        await PhaseAsync(client, connections, options.Warmup, op, ct).ConfigureAwait(false);
        var cpu = CpuMeter.Start(options.ServerPid);
        var (recorders, elapsed) = await PhaseAsync(client, connections, options.Duration, op, ct).ConfigureAwait(false);
        var (server, self) = cpu.Stop();
        var s = LatencyRecorder.Merge(recorders);
        var value = unit == "MiB/s" ? s.Bytes / MiB / elapsed : s.Count / elapsed;
        return Result(name, unit, value, s, elapsed, server, self, $"{connections} connections");
    }

    private async Task<(LatencyRecorder[] Recorders, double Seconds)> PhaseAsync(
        RegistryClient client, int connections, double seconds, Func<RegistryClient, LatencyRecorder, Task> op, CancellationToken ct)
    {
        var recorders = new LatencyRecorder[connections];
        if (seconds <= 0)
        {
            return (recorders.Select(_ => new LatencyRecorder()).ToArray(), 0);
        }

        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var started = Stopwatch.StartNew();
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        hardStop.CancelAfter(TimeSpan.FromSeconds(Math.Min(options.ScenarioTimeout, seconds * 3 + 30)));
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async w =>
        {
            await Task.Yield();
            var rec = recorders[w] = new LatencyRecorder();
            for (var i = 0; i < options.MaxRequests && Stopwatch.GetTimestamp() < deadline && !hardStop.IsCancellationRequested; i++)
            {
                try
                {
                    await op(client, rec).ConfigureAwait(false);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    if (rec.Errors == 0)
                    {
                        Console.Error.WriteLine($"  {options.Target}: {ex.GetType().Name}: {ex.Message}");
                    }

                    rec.Error();
                }
            }
        })).ConfigureAwait(false);
        return (recorders, started.Elapsed.TotalSeconds);
    }

    private ScenarioResult Result(string name, string unit, double value, LatencyRecorder.Summary s, double seconds, double serverCpu, double clientCpu, string? note) =>
        ScenarioResult.Of(options, name, unit, value, s, seconds, serverCpu, clientCpu, note);
}

/// <summary>CPU seconds used by the server process (from /proc) and by this process over an interval.</summary>
public readonly struct CpuMeter
{
    private readonly int pid;
    private readonly double serverStart;
    private readonly TimeSpan selfStart;

    private CpuMeter(int pid)
    {
        this.pid = pid;
        serverStart = ProcessCpuSeconds(pid);
        selfStart = Process.GetCurrentProcess().TotalProcessorTime;
    }

    public static CpuMeter Start(int pid) => new(pid);

    public (double Server, double Self) Stop()
    {
        var server = pid > 0 && serverStart >= 0 ? ProcessCpuSeconds(pid) - serverStart : -1;
        return (server, (Process.GetCurrentProcess().TotalProcessorTime - selfStart).TotalSeconds);
    }

    /// <summary>utime + stime of /proc/PID/stat, in seconds (USER_HZ is 100 on Linux); -1 when unavailable.</summary>
    public static double ProcessCpuSeconds(int pid)
    {
        if (pid <= 0)
        {
            return -1;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
