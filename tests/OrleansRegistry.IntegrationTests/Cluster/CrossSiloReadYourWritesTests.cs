using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests.Cluster;

/// <summary>
/// Tags are read-your-writes across silos, and a delete is seen on every silo at once, although
/// every silo caches manifest bytes: a push acknowledged by one silo is what the very next pull
/// through any other silo gets.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CrossSiloReadYourWritesTests(ITestOutputHelper log)
{
    private const int Moves = 20;

    [Fact]
    public async Task A_tag_moved_through_one_silo_is_seen_by_the_next_pull_through_every_other_silo()
    {
        await using var cluster = await LocalCluster.StartAsync(3, 17950, log);
        using var silo1 = cluster.Silo(1);
        using var silo2 = cluster.Silo(2);
        using var silo3 = cluster.Silo(3);
        var repo = Oci.UniqueRepository("ryw");

        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"id\":\"{Guid.NewGuid()}\"}}");
        var layer = Oci.RandomBytes(4096);
        foreach (var blob in new[] { config, layer })
        {
            using var push = await silo1.PostBlobAsync(repo, blob);
            Assert.Equal(HttpStatusCode.Created, push.StatusCode);
        }

        var pushed = new List<(byte[] Manifest, string Digest)>();
        for (var move = 0; move < Moves; move++)
        {
            var manifest = Manifest(config, layer, move);
            var digest = Oci.Sha256(manifest);
            var content = new ByteArrayContent(manifest);
            content.Headers.ContentType = new(Oci.ImageManifest);
            using (var put = await silo1.PutAsync($"/v2/{repo}/manifests/latest", content))
            {
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            // No wait, no retry: the 201 is the acknowledgement, the next pull must see it.
            foreach (var (name, silo) in new[] { ("silo 2", silo2), ("silo 3", silo3) })
            {
                using var get = await GetAsync(silo, $"/v2/{repo}/manifests/latest");
                Assert.True(HttpStatusCode.OK == get.StatusCode, $"move {move}, {name}: {get.StatusCode}");
                Assert.True(digest == get.Headers.GetValues("Docker-Content-Digest").Single(), $"move {move}, {name}: stale tag");
                Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
            }

            pushed.Add((manifest, digest));
        }

        // Every silo now holds cached bytes of the last manifests; a delete through silo 1 is 404 through 2 and 3 at once.
        var (lastManifest, last) = pushed[^1];
        foreach (var silo in new[] { silo2, silo3 })
        {
            using var get = await GetAsync(silo, $"/v2/{repo}/manifests/{last}");
            Assert.Equal(lastManifest, await get.Content.ReadAsByteArrayAsync());
        }

        using (var delete = await silo1.DeleteAsync($"/v2/{repo}/manifests/{last}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        foreach (var silo in new[] { silo2, silo3 })
        {
            using var byDigest = await GetAsync(silo, $"/v2/{repo}/manifests/{last}");
            Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
            using var byTag = await GetAsync(silo, $"/v2/{repo}/manifests/latest");
            Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        }

        // The manifests not deleted are still served everywhere, from cache or storage.
        var (earlierManifest, earlier) = pushed[^2];
        foreach (var silo in new[] { silo1, silo2, silo3 })
        {
            using var get = await GetAsync(silo, $"/v2/{repo}/manifests/{earlier}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(earlierManifest, await get.Content.ReadAsByteArrayAsync());
        }
    }

    private static byte[] Manifest(byte[] config, byte[] layer, int move) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = Oci.ImageManifest,
            config = new { mediaType = "application/vnd.oci.image.config.v1+json", digest = Oci.Sha256(config), size = config.Length },
            layers = new[] { new { mediaType = "application/vnd.oci.image.layer.v1.tar", digest = Oci.Sha256(layer), size = layer.Length } },
            annotations = new Dictionary<string, string> { ["org.example.move"] = move.ToString() },
        });

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Oci.ImageManifest));
        return await client.SendAsync(request);
    }
}
