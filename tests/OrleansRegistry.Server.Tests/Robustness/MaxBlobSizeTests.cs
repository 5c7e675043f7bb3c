using System.Net;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Robustness;

public sealed class MaxBlobSizeTests : IAsyncLifetime
{
    private readonly RegistryServer _server = RegistryServer.With(new() { ["Registry:MaxBlobBytes"] = "1000" });

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Monolithic_push_over_the_limit_gets_413_and_nothing_is_stored()
    {
        using var client = _server.CreateClient();
        var repo = OciClient.Unique("maxblob");
        var big = OciClient.RandomBytes(2000);
        var digest = OciClient.Sha256(big);
        using (var response = await client.PostAsync($"/v2/{repo}/blobs/uploads/?digest={digest}", new ByteArrayContent(big)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("SIZE_INVALID", await response.ErrorCodeAsync());
        }

        using (var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{digest}"))
        using (var response = await client.SendAsync(head))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var small = OciClient.RandomBytes(500);
        var smallDigest = await client.PushBlobAsync(repo, small);
        Assert.Equal(small, await client.GetByteArrayAsync($"/v2/{repo}/blobs/{smallDigest}"));

        var exact = OciClient.RandomBytes(1000);
        var exactDigest = await client.PushBlobAsync(repo, exact);
        Assert.Equal(exact, await client.GetByteArrayAsync($"/v2/{repo}/blobs/{exactDigest}"));
    }

    [Fact]
    public async Task Chunk_that_crosses_the_limit_gets_413_and_the_upload_keeps_only_the_first_chunk()
    {
        using var client = _server.CreateClient();
        var repo = OciClient.Unique("maxblob");
        var data = OciClient.RandomBytes(1200);
        string location;
        using (var post = await client.PostAsync($"/v2/{repo}/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
            location = post.Headers.Location!.OriginalString;
        }

        using (var response = await PatchAsync(client, location, data[..600], 0))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("0-599", response.Header("Range"));
            location = response.Headers.Location!.OriginalString;
        }

        using (var response = await PatchAsync(client, location, data[600..], 600))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("SIZE_INVALID", await response.ErrorCodeAsync());
        }

        using (var status = await client.GetAsync(location))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal("0-599", status.Header("Range"));
        }

        // The first chunk is intact: finishing with its digest works.
        using (var put = await client.PutAsync($"{location}?digest={OciClient.Sha256(data[..600])}", null))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(data[..600], await client.GetByteArrayAsync($"/v2/{repo}/blobs/{OciClient.Sha256(data[..600])}"));
    }

    private static async Task<HttpResponseMessage> PatchAsync(HttpClient client, string location, byte[] chunk, long offset)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(chunk) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + chunk.Length - 1}");
        return await client.SendAsync(request);
    }
}
