using System.Net;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests.Cluster;

/// <summary>An upload's chunks may reach any silo, and a silo's death costs at most the chunk it was taking.</summary>
[Collection(ClusterCollection.Name)]
public sealed class UploadFailoverTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Chunks_on_three_silos_complete_after_the_first_silo_is_killed()
    {
        await using var cluster = await LocalCluster.StartAsync(3, 17500, log);
        var repo = Oci.UniqueRepository("failover");
        var blob = Oci.RandomBytes(3 * 1024 * 1024 + 1234);
        var chunks = new[] { blob[..1_000_000], blob[1_000_000..2_000_000], blob[2_000_000..] };
        using var silo1 = cluster.Silo(1);
        using var silo2 = cluster.Silo(2);
        using var silo3 = cluster.Silo(3);

        var location = await silo1.StartUploadAsync(repo);
        using (var first = await silo1.PatchChunkAsync(location, chunks[0], 0))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        cluster.Kill(1);
        var started = DateTime.UtcNow;
        using (var second = await Failover.UntilAsync(() => silo2.PatchChunkAsync(location, chunks[1], 1_000_000), r => r.StatusCode == HttpStatusCode.Accepted))
        {
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
            Assert.Equal("0-1999999", second.Header("Range"));
        }

        log.WriteLine($"upload usable again {(DateTime.UtcNow - started).TotalSeconds:F1} s after kill -9");
        using (var third = await Failover.UntilAsync(() => silo3.PatchChunkAsync(location, chunks[2], 2_000_000), r => r.StatusCode != HttpStatusCode.ServiceUnavailable))
        {
            Assert.Equal(HttpStatusCode.Accepted, third.StatusCode);
        }

        // Until the dead silo is declared dead, a grain it hosted answers 503 (retry): the PUT is idempotent.
        var digest = Oci.Sha256(blob);
        using (var put = await Failover.UntilAsync(() => silo3.PutAsync(Oci.FinishUrl(location, digest), null), r => r.StatusCode != HttpStatusCode.ServiceUnavailable))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(digest, Oci.Sha256(await silo2.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}")));
    }

    [Fact]
    public async Task The_final_put_of_an_upload_whose_silo_just_died_is_answered_without_the_client_retrying()
    {
        await using var cluster = await LocalCluster.StartAsync(3, 17550, log);
        var repo = Oci.UniqueRepository("failover");
        var blob = Oci.RandomBytes(1024 * 1024 + 17);
        using var silo1 = cluster.Silo(1);
        using var silo2 = cluster.Silo(2);

        // The session's grain is on silo 2, which opened the upload and took its bytes.
        var location = await silo2.StartUploadAsync(repo);
        using (var chunk = await silo2.PatchChunkAsync(location, blob, 0))
        {
            Assert.Equal(HttpStatusCode.Accepted, chunk.StatusCode);
        }

        cluster.Kill(2);
        var started = DateTime.UtcNow;

        // Once, as docker sends it: a 503 here would have made docker push the whole layer again.
        var digest = Oci.Sha256(blob);
        using var put = await silo1.PutAsync(Oci.FinishUrl(location, digest), null);
        log.WriteLine($"final PUT answered {(int)put.StatusCode} {(DateTime.UtcNow - started).TotalSeconds:F1} s after kill -9");
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await silo1.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}"));
    }

    [Fact]
    public async Task A_silo_killed_while_a_patch_streams_into_it_loses_only_that_chunk()
    {
        await using var cluster = await LocalCluster.StartAsync(3, 17600, log);
        var repo = Oci.UniqueRepository("failover");
        var blob = Oci.RandomBytes(2 * 1024 * 1024);
        using var silo2 = cluster.Silo(2);
        using var silo3 = cluster.Silo(3);
        var location = await silo2.StartUploadAsync(repo);
        using (var first = await silo2.PatchChunkAsync(location, blob[..1_000_000], 0))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        // The second chunk trickles into silo 3, which dies with part of it received.
        // About 6 s of streaming: silo 3 dies well before the chunk could finish, even on a loaded machine.
        var body = new ThrottledStream(blob[1_000_000..], bytesPerTick: 16 * 1024, tick: TimeSpan.FromMilliseconds(100));
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"1000000-{blob.Length - 1}");
        var streaming = silo3.SendAsync(request);
        await body.Started;
        await Task.Delay(500);
        cluster.Kill(3);
        await Assert.ThrowsAnyAsync<Exception>(() => streaming);

        using (var status = await Failover.UntilAsync(() => silo2.GetAsync(location), r => r.StatusCode == HttpStatusCode.NoContent))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal("0-999999", status.Header("Range"));
        }

        // Grains the dead silo hosted answer 503 (retry) until it is declared dead: a client retries.
        using (var retry = await Failover.UntilAsync(() => silo2.PatchChunkAsync(location, blob[1_000_000..], 1_000_000), r => r.StatusCode != HttpStatusCode.ServiceUnavailable))
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        }

        var digest = Oci.Sha256(blob);
        using var put = await Failover.UntilAsync(() => silo2.PutAsync(Oci.FinishUrl(location, digest), null), r => r.StatusCode != HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await silo2.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}"));
    }
}
