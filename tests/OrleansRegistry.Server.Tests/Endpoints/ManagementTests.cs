using System.Net;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Endpoints;

public sealed class ManagementTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task Delete_by_tag_removes_only_the_tag()
    {
        var repo = OciClient.Unique("manage");
        var (manifest, digest) = await _client.PushImageAsync(repo, "v1");
        using (var tag2 = await _client.PutManifestAsync(repo, "v2", manifest, OciClient.OciManifest))
        {
            Assert.Equal(HttpStatusCode.Created, tag2.StatusCode);
        }

        using (var delete = await _client.DeleteAsync($"/v2/{repo}/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/v2/{repo}/manifests/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v2/{repo}/manifests/v2")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync($"/v2/{repo}/manifests/{digest}")).StatusCode);
    }

    [Fact]
    public async Task Delete_by_digest_removes_the_manifest_and_its_tags()
    {
        var repo = OciClient.Unique("manage");
        var (_, digest) = await _client.PushImageAsync(repo, "v1");
        using (var delete = await _client.DeleteAsync($"/v2/{repo}/manifests/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var byDigest = await _client.GetAsync($"/v2/{repo}/manifests/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await byDigest.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/v2/{repo}/manifests/v1")).StatusCode);
        using var again = await _client.DeleteAsync($"/v2/{repo}/manifests/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_referrer_removes_it_from_the_referrers_list()
    {
        var repo = OciClient.Unique("manage");
        var (_, subject) = await _client.PushImageAsync(repo, "v1");
        var (_, referrer) = await _client.PushImageAsync(repo, "sig", subject, "application/vnd.example.sig");
        using (var delete = await _client.DeleteAsync($"/v2/{repo}/manifests/{referrer}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var list = await _client.GetAsync($"/v2/{repo}/referrers/{subject}");
        using var json = await list.ReadJsonAsync();
        Assert.Empty(json.RootElement.GetProperty("manifests").EnumerateArray());
    }
}

public sealed class DeletesDisabledTests : IAsyncLifetime
{
    private readonly RegistryServer _server = RegistryServer.With(new() { ["Registry:DeleteEnabled"] = "false" });

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Deletes_answer_405_unsupported_with_allow()
    {
        using var client = _server.CreateClient();
        var repo = OciClient.Unique("manage");
        var (_, digest) = await client.PushImageAsync(repo, "v1");
        foreach (var (url, allow) in new[]
        {
            ($"/v2/{repo}/manifests/{digest}", "GET, HEAD, PUT"),
            ($"/v2/{repo}/manifests/v1", "GET, HEAD, PUT"),
            ($"/v2/{repo}/blobs/{digest}", "GET, HEAD"),
        })
        {
            using var response = await client.DeleteAsync(url);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal("UNSUPPORTED", await response.ErrorCodeAsync());
            Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v2/{repo}/manifests/v1")).StatusCode);
    }
}
