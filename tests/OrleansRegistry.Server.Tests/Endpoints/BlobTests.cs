using System.Net;
using System.Net.Http.Headers;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Endpoints;

public sealed class BlobTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task Get_and_head_serve_length_digest_and_accept_ranges()
    {
        var repo = OciClient.Unique("blobs");
        var data = OciClient.RandomBytes(300_000);
        var digest = await _client.PushBlobAsync(repo, data);
        using var get = await _client.GetAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(digest, get.Header("Docker-Content-Digest"));
        Assert.Equal("bytes", get.Header("Accept-Ranges"));
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());

        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(data.Length, head.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("bytes=0-", 0, 300_000)]
    [InlineData("bytes=10-19", 10, 10)]
    [InlineData("bytes=-100", 299_900, 100)]
    [InlineData("bytes=299990-400000", 299_990, 10)]
    public async Task Range_requests_get_206_with_content_range(string range, int start, int length)
    {
        var repo = OciClient.Unique("blobs");
        var data = OciClient.RandomBytes(300_000);
        var digest = await _client.PushBlobAsync(repo, data);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {start}-{start + length - 1}/{data.Length}", response.Content.Headers.ContentRange!.ToString());
        Assert.Equal(data.AsSpan(start, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unsatisfiable_range_is_416_with_the_size()
    {
        var repo = OciClient.Unique("blobs");
        var digest = await _client.PushBlobAsync(repo, OciClient.RandomBytes(100));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(500, 600);
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */100", response.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task Missing_blob_is_blob_unknown_and_a_blob_is_served_only_through_a_repository_that_links_it()
    {
        var repo = OciClient.Unique("blobs");
        var digest = await _client.PushBlobAsync(repo, OciClient.RandomBytes(100));
        using var other = await _client.GetAsync($"/v2/{OciClient.Unique("blobs")}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await other.ErrorCodeAsync());
    }

    [Fact]
    public async Task Delete_unlinks_the_blob()
    {
        var repo = OciClient.Unique("blobs");
        var digest = await _client.PushBlobAsync(repo, OciClient.RandomBytes(100));
        using (var delete = await _client.DeleteAsync($"/v2/{repo}/blobs/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        using var get = await _client.GetAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var again = await _client.DeleteAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }
}
