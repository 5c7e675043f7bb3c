using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRegistry.Server.Tests.Extensions.Policies;

/// <summary>Quotas through the real server: the admin API, refusals on push, shared blobs, releases, concurrency, the configuration's quotas.</summary>
public sealed class QuotaTests(PolicyServer fixture, ITestOutputHelper output) : IClassFixture<PolicyServer>
{
    private RegistryServer Server => fixture.Server;

    [Fact]
    public async Task Pushes_fill_the_quota_and_the_one_that_would_exceed_it_is_denied_leaving_nothing_visible()
    {
        var prefix = Prefix();
        var repo = $"{prefix}/app";
        using var client = await PusherAsync(repo, $"{prefix}/other");
        var first = await PushAsync(client, repo, "latest");
        await PutQuotaAsync($"{prefix}/*", first.Cost * 2 + 100, HttpStatusCode.Created);
        var second = await PushAsync(client, $"{prefix}/other", "latest");

        var third = await UploadAsync(client, repo);
        using var refused = await client.PutManifestAsync(repo, "latest", third.Manifest, OciClient.OciManifest);
        await PolicyRequests.AssertDeniedAsync(refused, $"quota exceeded: {first.Cost + second.Cost}/{first.Cost * 2 + 100}");

        using (var byDigest = await client.GetAsync($"/v2/{repo}/manifests/{third.Digest}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
        }

        Assert.Equal(first.Digest, await client.DigestOfAsync(repo, "latest"));
        Assert.Equal((first.Cost * 2 + 100, first.Cost + second.Cost), await QuotaAsync($"{prefix}/*"));
    }

    [Fact]
    public async Task An_image_sharing_a_layer_costs_only_its_new_content_and_a_delete_releases_what_only_it_took()
    {
        var prefix = Prefix();
        var repo = $"{prefix}/app";
        await PutQuotaAsync($"{prefix}/*", 1_000_000, HttpStatusCode.Created);
        using var client = await PusherAsync(repo);
        var first = await PushAsync(client, repo, "v1");
        Assert.Equal((1_000_000L, first.Cost), await QuotaAsync($"{prefix}/*"));

        var shared = await PushAsync(client, repo, "v2", first.Layer);
        var sharedCost = shared.Cost - shared.Layer.Length;
        Assert.Equal(first.Cost + sharedCost, (await QuotaAsync($"{prefix}/*")).Used);

        using (var delete = await client.DeleteAsync($"/v2/{repo}/manifests/{first.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        await EventuallyAsync(async () => (await QuotaAsync($"{prefix}/*")).Used == shared.Cost, "the delete did not release usage");
    }

    [Fact]
    public async Task A_quota_set_on_a_namespace_with_content_counts_it_and_then_enforces_it()
    {
        var prefix = Prefix();
        using var client = await PusherAsync($"{prefix}/app", $"{prefix}/lib");
        var first = await PushAsync(client, $"{prefix}/app", "v1");
        var second = await PushAsync(client, $"{prefix}/lib", "v1");
        await PutQuotaAsync($"{prefix}/*", first.Cost, HttpStatusCode.Created);
        Assert.Equal((first.Cost, first.Cost + second.Cost), await QuotaAsync($"{prefix}/*"));

        var third = await UploadAsync(client, $"{prefix}/app");
        using var refused = await client.PutManifestAsync($"{prefix}/app", "v2", third.Manifest, OciClient.OciManifest);
        await PolicyRequests.AssertDeniedAsync(refused, $"quota exceeded: {first.Cost + second.Cost}/{first.Cost}");

        // Pushing what is counted already adds nothing, and is allowed over the limit.
        using var retag = await client.PutManifestAsync($"{prefix}/app", "again", first.Manifest, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, retag.StatusCode);
        await PutQuotaAsync($"{prefix}/*", first.Cost * 10, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Concurrent_pushes_into_one_namespace_all_succeed_within_the_quota()
    {
        var prefix = Prefix();
        using var client = await PusherAsync([.. Enumerable.Range(0, 8).Select(i => $"{prefix}/app{i}")]);
        var uploaded = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => UploadAsync(client, $"{prefix}/app{i}")));
        await PutQuotaAsync($"{prefix}/*", uploaded.Sum(u => u.Cost), HttpStatusCode.Created);

        var pushes = await Task.WhenAll(uploaded.Select((u, i) => client.PutManifestAsync($"{prefix}/app{i}", "v1", u.Manifest, OciClient.OciManifest)));
        Assert.All(pushes, push => Assert.Equal(HttpStatusCode.Created, push.StatusCode));
        Assert.Equal(uploaded.Sum(u => u.Cost), (await QuotaAsync($"{prefix}/*")).Used);
        foreach (var push in pushes)
        {
            push.Dispose();
        }
    }

    [Fact]
    public async Task A_manifest_the_repository_refuses_releases_its_reservation()
    {
        var prefix = Prefix();
        var repo = $"{prefix}/app";
        await PutQuotaAsync($"{prefix}/*", 1_000_000, HttpStatusCode.Created);
        using var client = await PusherAsync(repo);
        var config = await client.PushBlobAsync(repo, Encoding.UTF8.GetBytes("{}"));
        var missing = OciClient.Sha256(OciClient.RandomBytes(64));
        using var push = await client.PutManifestAsync(repo, "v1", OciClient.ImageManifest(config, 2, missing, 64), OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, push.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await push.ErrorCodeAsync());
        Assert.Equal(0, (await QuotaAsync($"{prefix}/*")).Used);
    }

    [Fact]
    public async Task Only_admins_manage_quotas()
    {
        var path = $"/api/v1/namespaces/{Prefix()}/*/quota";
        await PolicyRequests.AssertAdminOnlyAsync(Server, path, new { bytes = 1000 });
    }

    [Theory]
    [InlineData("Bad/*", """{"bytes":1000}""")]
    [InlineData("team/**", """{"bytes":1000}""")]
    [InlineData("ok/*", """{"bytes":-1}""")]
    [InlineData("ok/*", """{"bytes":1.5}""")]
    [InlineData("ok/*", """{"bytes":"many"}""")]
    [InlineData("ok/*", """{"bytes":99999999999999999999}""")]
    [InlineData("ok/*", """{"bytes":null}""")]
    [InlineData("ok/*", """{}""")]
    [InlineData("ok/*", """[1000]""")]
    [InlineData("ok/*", """{"bytes":1000""")]
    [InlineData("ok/*", "")]
    public async Task Bad_input_is_400_with_an_oci_error_body(string pattern, string body)
    {
        using var root = Root();
        await root.AssertPutIsBadRequestAsync($"/api/v1/namespaces/{pattern}/quota", body);
    }

    [Fact]
    public async Task A_quota_is_read_and_deleted_and_then_no_longer_applies()
    {
        var prefix = Prefix();
        using var root = Root();
        await PutQuotaAsync($"{prefix}/*", 0, HttpStatusCode.Created);
        using var client = await PusherAsync($"{prefix}/app");
        var upload = await UploadAsync(client, $"{prefix}/app");
        using (var refused = await client.PutManifestAsync($"{prefix}/app", "v1", upload.Manifest, OciClient.OciManifest))
        {
            await PolicyRequests.AssertDeniedAsync(refused, "quota exceeded: 0/0");
        }

        await root.DeleteRuleAsync($"/api/v1/namespaces/{prefix}/*/quota");

        using var allowed = await client.PutManifestAsync($"{prefix}/app", "v1", upload.Manifest, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task The_quotas_declared_in_the_configuration_file_and_in_the_settings_apply()
    {
        using var root = Root();
        foreach (var (pattern, bytes, repo) in new[] { ("capped/*", 1000L, $"capped/{Guid.NewGuid():N}"), ("limited/app", 2000L, "limited/app") })
        {
            using (var read = await root.GetAsync($"/api/v1/namespaces/{pattern}/quota"))
            {
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                using var json = await read.ReadJsonAsync();
                Assert.Equal(bytes, json.RootElement.GetProperty("bytes").GetInt64());
                Assert.Equal("configuration", json.RootElement.GetProperty("source").GetString());
            }

            using var client = await PusherAsync(repo);
            var upload = await UploadAsync(client, repo);
            using var refused = await client.PutManifestAsync(repo, "v1", upload.Manifest, OciClient.OciManifest);
            await PolicyRequests.AssertDeniedAsync(refused, $"quota exceeded: 0/{bytes}");
        }
    }

    /// <summary>The cost a quota adds to a manifest PUT, printed (a timing is never an assertion).</summary>
    [Fact]
    public async Task Median_latency_of_manifest_pushes_with_and_without_a_quota()
    {
        const int Pushes = 50;
        var timings = new Dictionary<string, double>();
        foreach (var quota in new[] { false, true })
        {
            var prefix = Prefix();
            var repo = $"{prefix}/app";
            if (quota)
            {
                await PutQuotaAsync($"{prefix}/*", long.MaxValue, HttpStatusCode.Created);
            }

            using var client = await PusherAsync(repo);
            var upload = await UploadAsync(client, repo);
            var layer = OciClient.Sha256(upload.Layer);
            var samples = new List<double>();
            for (var i = 0; i < Pushes; i++)
            {
                var manifest = OciClient.ImageManifest(upload.Config, upload.ConfigSize, layer, upload.Layer.Length, artifactType: $"application/x.t{i}");
                var clock = Stopwatch.StartNew();
                using var push = await client.PutManifestAsync(repo, $"t{i}", manifest, OciClient.OciManifest);
                samples.Add(clock.Elapsed.TotalMilliseconds);
                Assert.Equal(HttpStatusCode.Created, push.StatusCode);
            }

            samples.Sort();
            timings[quota ? "with a quota" : "without"] = samples[Pushes / 2];
        }

        output.WriteLine(string.Join(", ", timings.Select(t => $"{t.Key}: median {t.Value:F2} ms")));
    }

    private sealed record Uploaded(byte[] Manifest, string Digest, string Config, long ConfigSize, byte[] Layer)
    {
        /// <summary>The unique bytes the image takes: its manifest, config and layer.</summary>
        public long Cost => Manifest.Length + ConfigSize + Layer.Length;
    }

    /// <summary>Uploads a config and a layer (<paramref name="layer"/>, or a new one) and returns the manifest naming them, not pushed.</summary>
    private static async Task<Uploaded> UploadAsync(HttpClient client, string repo, byte[]? layer = null)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"{Guid.NewGuid()}\"}}");
        layer ??= OciClient.RandomBytes(4096);
        var configDigest = await client.PushBlobAsync(repo, config);
        var layerDigest = await client.PushBlobAsync(repo, layer);
        var manifest = OciClient.ImageManifest(configDigest, config.Length, layerDigest, layer.Length);
        return new Uploaded(manifest, OciClient.Sha256(manifest), configDigest, config.Length, layer);
    }

    private static async Task<Uploaded> PushAsync(HttpClient client, string repo, string tag, byte[]? layer = null)
    {
        var uploaded = await UploadAsync(client, repo, layer);
        using var push = await client.PutManifestAsync(repo, tag, uploaded.Manifest, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, push.StatusCode);
        return uploaded;
    }

    private static string Prefix() => $"quo{Guid.NewGuid():N}"[..16];

    private HttpClient Root() => Server.Root();

    private Task<HttpClient> PusherAsync(params string[] repos) =>
        Server.AsAsync("root", "root-pass", [.. repos.Select(repo => $"repository:{repo}:pull,push,delete")]);

    private async Task PutQuotaAsync(string pattern, long bytes, HttpStatusCode expected)
    {
        using var root = Root();
        using var put = await root.PutAsJsonAsync($"/api/v1/namespaces/{pattern}/quota", new { bytes });
        Assert.Equal(expected, put.StatusCode);
    }

    private async Task<(long Bytes, long Used)> QuotaAsync(string pattern)
    {
        using var root = Root();
        using var get = await root.GetAsync($"/api/v1/namespaces/{pattern}/quota");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        using var json = await get.ReadJsonAsync();
        return (json.RootElement.GetProperty("bytes").GetInt64(), json.RootElement.GetProperty("used").GetInt64());
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), failure);
            await Task.Delay(100);
        }
    }
}
