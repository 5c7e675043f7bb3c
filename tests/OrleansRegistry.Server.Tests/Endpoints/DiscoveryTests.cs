using System.Net;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Endpoints;

public sealed class DiscoveryTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task Base_endpoint_answers_200_with_the_api_version()
    {
        using var response = await _client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", response.Header("Docker-Distribution-API-Version"));
    }

    [Fact]
    public async Task Tags_are_listed_in_lexical_order_and_paginated_with_link()
    {
        var repo = OciClient.Unique("tags");
        var (manifest, digest) = await _client.PushImageAsync(repo, "b");
        foreach (var tag in new[] { "a", "C", "d", "e" })
        {
            using var put = await _client.PutManifestAsync(repo, tag, manifest, OciClient.OciManifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(["a", "b", "C", "d", "e"], await TagsAsync($"/v2/{repo}/tags/list"));

        using var page = await _client.GetAsync($"/v2/{repo}/tags/list?n=2");
        Assert.Equal(["a", "b"], await ListAsync(page, "tags"));
        Assert.Equal($"</v2/{repo}/tags/list?n=2&last=b>; rel=\"next\"", page.Header("Link"));

        using var next = await _client.GetAsync($"/v2/{repo}/tags/list?n=2&last=b");
        Assert.Equal(["C", "d"], await ListAsync(next, "tags"));

        using var rest = await _client.GetAsync($"/v2/{repo}/tags/list?last=d");
        Assert.Equal(["e"], await ListAsync(rest, "tags"));
        Assert.Null(rest.Header("Link"));

        using var zero = await _client.GetAsync($"/v2/{repo}/tags/list?n=0");
        Assert.Empty(await ListAsync(zero, "tags"));
        Assert.Null(zero.Header("Link"));
    }

    [Fact]
    public async Task Tags_of_an_unknown_repository_is_name_unknown()
    {
        using var response = await _client.GetAsync($"/v2/{OciClient.Unique("tags")}/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task Catalog_lists_repositories_with_pagination()
    {
        var prefix = OciClient.Unique("catalog");
        foreach (var name in new[] { "x", "y", "z" })
        {
            await _client.PushImageAsync($"{prefix}/{name}", "v1");
        }

        var all = await TagsAsync("/v2/_catalog", "repositories");
        Assert.Contains($"{prefix}/x", all);
        Assert.Contains($"{prefix}/z", all);
        Assert.Equal(all.Order(StringComparer.Ordinal).ToList(), all);

        using var page = await _client.GetAsync($"/v2/_catalog?n=1&last={prefix}/x");
        Assert.Equal([$"{prefix}/y"], await ListAsync(page, "repositories"));
        Assert.NotNull(page.Header("Link"));
    }

    [Fact]
    public async Task Referrers_lists_manifests_with_a_subject_and_filters_by_artifact_type()
    {
        var repo = OciClient.Unique("referrers");
        var (subjectBytes, subject) = await _client.PushImageAsync(repo, "v1");
        var (_, sbom) = await _client.PushImageAsync(repo, "sbom", subject, "application/vnd.example.sbom");
        var (_, sig) = await _client.PushImageAsync(repo, "sig", subject, "application/vnd.example.sig");

        using var all = await _client.GetAsync($"/v2/{repo}/referrers/{subject}");
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(OciClient.OciIndex, all.Content.Headers.ContentType!.ToString());
        using (var json = await all.ReadJsonAsync())
        {
            var digests = json.RootElement.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("digest").GetString()).ToList();
            Assert.Equal(new[] { sbom, sig }.Order(), digests.Order());
        }

        using var filtered = await _client.GetAsync($"/v2/{repo}/referrers/{subject}?artifactType=application/vnd.example.sig");
        Assert.Equal("artifactType", filtered.Header("OCI-Filters-Applied"));
        using (var json = await filtered.ReadJsonAsync())
        {
            var only = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
            Assert.Equal(sig, only.GetProperty("digest").GetString());
            Assert.Equal("application/vnd.example.sig", only.GetProperty("artifactType").GetString());
            Assert.Equal("application/vnd.example.sig", only.GetProperty("annotations").GetProperty("org.example.kind").GetString());
        }

        using var none = await _client.GetAsync($"/v2/{repo}/referrers/{OciClient.Sha256(subjectBytes[..10])}");
        Assert.Equal(HttpStatusCode.OK, none.StatusCode);
        using var empty = await none.ReadJsonAsync();
        Assert.Empty(empty.RootElement.GetProperty("manifests").EnumerateArray());
    }

    [Fact]
    public async Task Referrers_with_a_bad_digest_is_400()
    {
        using var response = await _client.GetAsync($"/v2/{OciClient.Unique("referrers")}/referrers/sha256:nothex");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<List<string>> TagsAsync(string url, string list = "tags")
    {
        using var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ListAsync(response, list);
    }

    private static async Task<List<string>> ListAsync(HttpResponseMessage response, string list)
    {
        using var json = await response.ReadJsonAsync();
        return [.. json.RootElement.GetProperty(list).EnumerateArray().Select(e => e.GetString()!)];
    }
}
