using System.Net;
using System.Net.Http.Headers;
using System.Text;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Server.Manifests;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Manifests;

/// <summary>The per-silo manifest bytes cache seen through HTTP: existence always comes from the repository grain.</summary>
public sealed class ManifestCacheHttpTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    private ManifestBytesCache Cache => server.Services.GetRequiredService<ManifestBytesCache>();

    [Fact]
    public async Task A_manifest_deleted_behind_the_silos_back_is_404_although_its_bytes_are_cached()
    {
        var repo = OciClient.Unique("cache");
        var (manifest, digest) = await _client.PushImageAsync(repo, "v1");
        using (var get = await GetAsync(repo, digest))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        }

        Assert.True(Cache.TryGet(repo, digest, out _));

        // What a delete through another silo looks like to this one: the grain forgets, this cache does not hear of it.
        var grains = server.Services.GetRequiredService<IGrainFactory>();
        Assert.True(await grains.GetGrain<IRepositoryGrain>(repo).DeleteManifest(digest));
        Assert.True(Cache.TryGet(repo, digest, out _));

        foreach (var reference in new[] { digest, "v1" })
        {
            using var get = await GetAsync(repo, reference);
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.Equal("MANIFEST_UNKNOWN", await get.ErrorCodeAsync());
            using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/manifests/{reference}"));
            Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        }
    }

    [Fact]
    public async Task A_delete_through_this_silo_is_404_at_once_and_drops_the_entry()
    {
        var repo = OciClient.Unique("cache");
        var (_, digest) = await _client.PushImageAsync(repo, "v1");
        using (var get = await GetAsync(repo, "v1"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        Assert.True(Cache.TryGet(repo, digest, out _));
        using (var delete = await _client.DeleteAsync($"/v2/{repo}/manifests/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        Assert.False(Cache.TryGet(repo, digest, out _));
        using var after = await GetAsync(repo, digest);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task The_same_digest_in_two_repositories_is_served_per_repository()
    {
        var a = OciClient.Unique("cache-a");
        var b = OciClient.Unique("cache-b");
        var stranger = OciClient.Unique("cache-c");
        var config = Encoding.UTF8.GetBytes($"{{\"n\":\"{Guid.NewGuid()}\"}}");
        var layer = OciClient.RandomBytes(1000);
        var manifest = OciClient.ImageManifest(OciClient.Sha256(config), config.Length, OciClient.Sha256(layer), layer.Length);
        var digest = OciClient.Sha256(manifest);
        foreach (var repo in new[] { a, b })
        {
            await _client.PushBlobAsync(repo, config);
            await _client.PushBlobAsync(repo, layer);
            using var put = await _client.PutManifestAsync(repo, "v1", manifest, OciClient.OciManifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await _client.PushImageAsync(stranger, "v1");
        foreach (var repo in new[] { a, b })
        {
            using var get = await GetAsync(repo, digest);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
            Assert.True(Cache.TryGet(repo, digest, out _));
        }

        // Cached under a and b, never served through a repository that does not hold it.
        using (var get = await GetAsync(stranger, digest))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        Assert.False(Cache.TryGet(stranger, digest, out _));

        using (var delete = await _client.DeleteAsync($"/v2/{a}/manifests/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using (var get = await GetAsync(a, digest))
        {
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        using (var get = await GetAsync(b, "v1"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Hits_and_misses_are_counted()
    {
        var repo = OciClient.Unique("cache-metrics");
        var (manifest, digest) = await _client.PushImageAsync(repo, "v1");
        Cache.Remove(repo, digest); // as on a silo that did not take the push
        var before = await ScrapeAsync();

        for (var i = 0; i < 3; i++)
        {
            using var get = await GetAsync(repo, i == 0 ? digest : "v1");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        }

        // One miss (read from storage, then kept), two hits. Other tests of this class may add more: at least.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        PrometheusText after;
        do
        {
            await Task.Delay(250);
            after = await ScrapeAsync();
        }
        while (DateTime.UtcNow < deadline
            && (Delta(before, after, "registry_cache_hits_total") < 2 || Delta(before, after, "registry_cache_misses_total") < 1));

        Assert.True(Delta(before, after, "registry_cache_hits_total") >= 2);
        Assert.True(Delta(before, after, "registry_cache_misses_total") >= 1);
    }

    [Fact]
    public async Task Conditional_get_and_head_answer_from_the_cached_header_values()
    {
        var repo = OciClient.Unique("cache");
        var (manifest, digest) = await _client.PushImageAsync(repo, "v1");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/v1");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{digest}\""));
        using var notModified = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/manifests/v1"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal($"\"{digest}\"", head.Headers.ETag!.Tag);
        Assert.Equal(manifest.Length, head.Content.Headers.ContentLength);
    }

    private static double Delta(PrometheusText before, PrometheusText after, string name) =>
        after.Sum(name, ("cache", "manifest")) - before.Sum(name, ("cache", "manifest"));

    private async Task<HttpResponseMessage> GetAsync(string repo, string reference)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/{reference}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciClient.OciManifest));
        return await _client.SendAsync(request);
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
