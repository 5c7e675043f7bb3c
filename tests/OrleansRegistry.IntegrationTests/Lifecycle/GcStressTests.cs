using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using OrleansRegistry.IntegrationTests.Cluster;
using OrleansRegistry.IntegrationTests.Infrastructure;
using OrleansRegistry.Storage;
using OrleansRegistry.Storage.AzureBlob;
using OrleansRegistry.Storage.FileSystem;

namespace OrleansRegistry.IntegrationTests.Lifecycle;

/// <summary>
/// Garbage collection running all the time (every second, grace 2 s) under <see cref="GcStressLoad"/>,
/// embedded (files) and as a 3-silo cluster (Azure via Azurite) with a silo killed halfway. Oracles:
/// every tagged manifest pulls completely with matching digests; no <c>MANIFEST_BLOB_UNKNOWN</c> for
/// blobs touched within the grace period; and once the load stops, after the grace period and a few
/// sweeps, what storage holds is exactly what the tags reach (no leak, nothing missing).
/// The CI form runs 20 s of load; <c>GC_STRESS_SECONDS</c> makes it longer (benchmarks/gc-stress.sh).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GcStressTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Load = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("GC_STRESS_SECONDS"), out var seconds) ? seconds : 20);

    /// <summary>
    /// Registry settings: collect every second, untagged manifests everywhere, and tag histories of the
    /// current digest only (so what stays is what the tags reach).
    /// </summary>
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Registry:Tags:HistoryDepth"] = "1",
        ["Registry:Gc:Grace"] = Grace.ToString(),
        ["Registry:Gc:Interval"] = "00:00:01",
        ["Registry:Gc:UntaggedNamespaces:0"] = "*",
    };

    [Fact]
    public async Task Embedded_under_load_nothing_referenced_is_lost_and_nothing_unreferenced_stays()
    {
        using var data = new TempDirectory();
        await using var server = await RegistryProcess.StartReadyAsync(data.Path, log, [.. Settings.Select(s => $"--{s.Key}={s.Value}")]);
        var load = new GcStressLoad(server.CreateClient, Grace);

        await load.RunAsync(pushers: 6, Load);

        await AssertOutcomeAsync(load, server.CreateClient, new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(data.Path, "storage") }));
    }

    [Fact]
    public async Task Cluster_with_a_silo_killed_under_load_nothing_referenced_is_lost_and_nothing_unreferenced_stays()
    {
        const int basePort = 18100;
        await using var cluster = await LocalCluster.StartAsync(3, basePort, log,
            environment: Settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value));
        var load = new GcStressLoad(cluster.Edge, Grace);

        // A killed silo stalls requests to its grains until the cluster declares it dead (about 10 s): load on both sides of it.
        var running = load.RunAsync(pushers: 6, Load + TimeSpan.FromSeconds(10));
        await Task.Delay(Load / 2);
        cluster.Kill(2);
        log.WriteLine("killed silo 2");
        await running;

        var store = AzureBlobStore.Create(new AzureBlobStoreOptions { ConnectionString = LocalCluster.AzuriteConnection(basePort + 1), ContainerName = "registry" });
        await AssertOutcomeAsync(load, cluster.Edge, store);
    }

    private async Task AssertOutcomeAsync(GcStressLoad load, Func<HttpClient> client, IBlobStore store)
    {
        log.WriteLine("load: " + string.Join(", ", load.Counts.OrderBy(c => c.Key).Select(c => $"{c.Key}={c.Value}")));
        Assert.Empty(load.Violations);
        Assert.True(load.Counts.GetValueOrDefault("pushes") >= 10, "the load pushed too little to show anything");

        using var http = client();
        var reachable = await PullEverythingTaggedAsync(http, load.Repositories);

        // Past the blob index's settle time (10 s) and the grace period, a few runs leave exactly what tags reach.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        HashSet<string> stored;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            stored = await store.ListContentAsync(CancellationToken.None).Select(c => c.Digest).ToHashSetAsync();
        }
        while (!stored.SetEquals(reachable) && DateTime.UtcNow < deadline);

        log.WriteLine($"tags reach {reachable.Count} digests; storage holds {stored.Count}");
        Assert.Empty(reachable.Except(stored));
        Assert.Empty(stored.Except(reachable));
        Assert.Equal(reachable, await PullEverythingTaggedAsync(http, load.Repositories));
    }

    /// <summary>Pulls every tag of the repositories and everything it reaches, checking every digest; the digests reached.</summary>
    private static async Task<HashSet<string>> PullEverythingTaggedAsync(HttpClient http, IEnumerable<string> repositories)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        foreach (var repository in repositories)
        {
            using var list = await http.GetAsync($"/v2/{repository}/tags/list");
            if (list.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }

            var tags = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("tags");
            foreach (var tag in tags.ValueKind == JsonValueKind.Array ? tags.EnumerateArray().Select(t => t.GetString()!) : [])
            {
                await PullAsync(http, repository, tag, reached);
            }
        }

        return reached;
    }

    private static async Task PullAsync(HttpClient http, string repository, string reference, HashSet<string> reached)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(Oci.ImageManifest);
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.index.v1+json");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var digest = Oci.Sha256(bytes);
        Assert.Equal(response.Header("Docker-Content-Digest"), digest);
        reached.Add(digest);
        var manifest = JsonDocument.Parse(bytes).RootElement;
        if (manifest.TryGetProperty("manifests", out var children))
        {
            foreach (var child in children.EnumerateArray())
            {
                await PullAsync(http, repository, child.GetProperty("digest").GetString()!, reached);
            }

            return;
        }

        foreach (var blob in manifest.GetProperty("layers").EnumerateArray().Append(manifest.GetProperty("config")))
        {
            var blobDigest = blob.GetProperty("digest").GetString()!;
            using var pulled = await http.GetAsync($"/v2/{repository}/blobs/{blobDigest}");
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
            Assert.Equal(blobDigest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await pulled.Content.ReadAsByteArrayAsync())));
            reached.Add(blobDigest);
        }
    }
}
