using System.Net;
using System.Security.Cryptography;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Robustness;

/// <summary>Kestrel refuses bodies over 30 MB by default; blob uploads must not be bound by that.</summary>
public sealed class LargeBodyTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    [Fact]
    public async Task Monolithic_40_MiB_blob_is_accepted_and_pulled_identical()
    {
        using var client = server.CreateClient();
        var repo = OciClient.Unique("large");
        var data = OciClient.RandomBytes(40 * 1024 * 1024);
        var digest = await client.PushBlobAsync(repo, data);

        using var response = await client.GetAsync($"/v2/{repo}/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data.Length, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        var pulled = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(body));
        Assert.Equal(digest, pulled);
    }

    [Fact]
    public async Task Chunked_transfer_encoding_40_MiB_put_is_accepted()
    {
        using var client = server.CreateClient();
        var repo = OciClient.Unique("large");
        var data = OciClient.RandomBytes(40 * 1024 * 1024);
        var digest = OciClient.Sha256(data);
        string location;
        using (var post = await client.PostAsync($"/v2/{repo}/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
            location = post.Headers.Location!.OriginalString;
        }

        using var content = new StreamContent(new NonSeekableStream(new MemoryStream(data)));
        using (var put = await client.PutAsync($"{location}?digest={digest}", content))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var pulled = await client.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(digest, OciClient.Sha256(pulled));
    }
}
