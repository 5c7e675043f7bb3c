namespace OrleansRegistry.LoadTest;

/// <summary>Command-line options; every loop is bounded by both a duration and a count.</summary>
public sealed class LoadOptions
{
    public Uri Url { get; set; } = new("http://127.0.0.1:5000");

    public string Repository { get; set; } = "bench/app";

    public string Tag { get; set; } = "v1";

    public string Target { get; set; } = "registry";

    public int Round { get; set; }

    public List<string> Scenarios { get; } = [];

    /// <summary>Measured seconds per duration-bound scenario.</summary>
    public double Duration { get; set; } = 5;

    /// <summary>Unmeasured seconds first (JIT, connections, caches).</summary>
    public double Warmup { get; set; } = 1;

    /// <summary>Hard cap on requests per worker loop, whatever the duration.</summary>
    public int MaxRequests { get; set; } = 2_000_000;

    public int Connections { get; set; } = 64;

    public int BlobConnections { get; set; } = 4;

    public int RangeConnections { get; set; } = 32;

    public int MixConnections { get; set; } = 16;

    public int PushIterations { get; set; } = 3;

    public int PushMiB { get; set; } = 128;

    public int ChunkMiB { get; set; } = 8;

    public int Kubelets { get; set; } = 200;

    public int KubeletConcurrency { get; set; } = 32;

    public int LargeLayerMiB { get; set; } = 50;

    /// <summary>Hard cap on any scenario's wall time, seconds.</summary>
    public double ScenarioTimeout { get; set; } = 60;

    public int ServerPid { get; set; }

    /// <summary>Token auth credentials: requests carry a cached bearer token.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>upload-rss: bytes streamed in one upload.</summary>
    public int UploadMiB { get; set; } = 1024;

    /// <summary>tag-push-50k: tags in the big repository, seeding concurrency, measured pushes per repository.</summary>
    public int SeedTags { get; set; } = 50_000;

    public int SeedConcurrency { get; set; } = 16;

    /// <summary>seed-blobs: how many small blobs, over how many repositories (<c>--repo</c> is their prefix).</summary>
    public int BlobCount { get; set; } = 100_000;

    public int BlobRepositories { get; set; } = 100;

    public int TagPushes { get; set; } = 40;

    public string? Out { get; set; }
}
