using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansRegistry.Grains.Cluster;
using OrleansRegistry.Contracts.Cluster;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests.Cluster;

/// <summary>
/// Upload URLs name the silo hosting the upload's session, and the edge sends the upload's chunks
/// there; a hint that names no live silo is only a preference and the chunk is balanced as usual.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class HomeSiloRoutingTests(ITestOutputHelper log)
{
    private const int Chunks = 6;

    [Fact]
    public async Task Every_chunk_sent_through_the_edge_is_served_by_the_silo_its_url_names()
    {
        await using var cluster = await LocalCluster.StartAsync(2, 17400, log, blobs: "fs");
        await cluster.WaitRoutedAsync(Failover.Timeout, 1, 2);
        using var edge = cluster.Edge();
        var urlByHint = await SiloUrlsByHintAsync(cluster);
        var repo = Oci.UniqueRepository("home");
        var blob = Oci.RandomBytes(Chunks * 300_000 + 7);

        var location = await edge.StartUploadAsync(repo);
        var home = HomeOf(location);
        Assert.True(urlByHint.ContainsKey(home), $"the hint '{home}' names no silo of [{string.Join(", ", urlByHint.Keys)}]");
        var homeUrl = urlByHint[home];
        var otherUrl = urlByHint.Single(s => s.Key != home).Value;
        var homeBefore = await PatchesServedAsync(homeUrl);
        var otherBefore = await PatchesServedAsync(otherUrl);

        for (var chunk = 0; chunk < Chunks; chunk++)
        {
            var start = chunk * 300_000;
            var end = chunk == Chunks - 1 ? blob.Length : start + 300_000;
            using var patch = await edge.PatchChunkAsync(location, blob[start..end], start);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = patch.Headers.Location!.OriginalString;
            Assert.Equal(home, HomeOf(location));
        }

        var digest = Oci.Sha256(blob);
        using (var put = await edge.PutAsync(Oci.FinishUrl(location, digest), null))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(digest, Oci.Sha256(await edge.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}")));
        // A request is counted once its response is out (and scrapes are cached briefly): poll a little.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await PatchesServedAsync(homeUrl) - homeBefore < Chunks && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Equal(Chunks, await PatchesServedAsync(homeUrl) - homeBefore);
        Assert.Equal(0, await PatchesServedAsync(otherUrl) - otherBefore);
    }

    [Fact]
    public async Task A_hint_naming_no_live_silo_is_balanced_and_the_upload_goes_on()
    {
        await using var cluster = await LocalCluster.StartAsync(2, 17450, log, blobs: "fs");
        await cluster.WaitRoutedAsync(Failover.Timeout, 1, 2);
        using var edge = cluster.Edge();
        var repo = Oci.UniqueRepository("home");
        var blob = Oci.RandomBytes(500_000);

        var location = await edge.StartUploadAsync(repo);
        var stale = location.Replace(HomeOf(location), "0123456789abcdef", StringComparison.Ordinal);
        using (var patch = await edge.PatchChunkAsync(stale, blob, 0))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal("0-499999", patch.Headers.GetValues("Range").Single());
        }

        var digest = Oci.Sha256(blob);
        using var put = await edge.PutAsync(Oci.FinishUrl(stale, digest), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    private static string HomeOf(string location)
    {
        var match = HomeParameter().Match(location);
        Assert.True(match.Success, $"no home hint in '{location}'");
        return match.Groups[1].Value;
    }

    private static async Task<Dictionary<string, string>> SiloUrlsByHintAsync(LocalCluster cluster)
    {
        using var client = new HttpClient();
        var silos = JsonSerializer.Deserialize<Dictionary<string, string>>(await client.GetStringAsync(new Uri(cluster.EdgeUrl, "/_edge/silos")))!;
        return silos.ToDictionary(s => SiloHint.Of(s.Key), s => s.Value);
    }

    /// <summary>PATCHes a silo answered 202, from its HTTP server metrics.</summary>
    private static async Task<int> PatchesServedAsync(string siloUrl)
    {
        using var client = new HttpClient();
        var metrics = await client.GetStringAsync(new Uri(new Uri(siloUrl), "/metrics"));
        return PatchCount().Matches(metrics).Sum(m => int.Parse(m.Groups[1].Value));
    }

    [GeneratedRegex(@"[?&]home=([0-9a-f]+)")]
    private static partial Regex HomeParameter();

    [GeneratedRegex("""^http_server_request_duration_seconds_count\{[^}]*http_request_method="PATCH",http_response_status_code="202",http_route="/v2/\{name\}/blobs/uploads/\{id\}"[^}]*\} (\d+)""", RegexOptions.Multiline)]
    private static partial Regex PatchCount();
}
