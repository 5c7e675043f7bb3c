using System.Net;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Endpoints;

public sealed class ErrorTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Theory]
    [InlineData("/v2/Upper/tags/list")]
    [InlineData("/v2/a__/manifests/latest")]
    [InlineData("/v2/-a/blobs/uploads/")]
    public async Task Invalid_repository_names_are_name_invalid(string path)
    {
        using var response = path.EndsWith("uploads/")
            ? await _client.PostAsync(path, null)
            : await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("NAME_INVALID", await response.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("sha256:ABC")]
    [InlineData("sha384:" + "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha256:" + "000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("md5:abc")]
    public async Task Invalid_digests_are_digest_invalid(string digest)
    {
        using var response = await _client.GetAsync($"/v2/{OciClient.Unique("errors")}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("DIGEST_INVALID", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task Monolithic_post_with_an_invalid_digest_is_digest_invalid()
    {
        using var response = await _client.PostAsync($"/v2/{OciClient.Unique("errors")}/blobs/uploads/?digest=sha256:zz", new ByteArrayContent([1, 2]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("DIGEST_INVALID", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task Unsupported_method_is_405_with_allow()
    {
        using var response = await _client.PostAsync($"/v2/{OciClient.Unique("errors")}/manifests/latest", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("UNSUPPORTED", await response.ErrorCodeAsync());
        Assert.Equal("GET, HEAD, PUT, DELETE", string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task Put_without_digest_is_digest_invalid()
    {
        var repo = OciClient.Unique("errors");
        using var start = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        using var put = await _client.PutAsync(start.Headers.Location!.OriginalString, null);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task Invalid_content_range_is_rejected_without_a_500()
    {
        var repo = OciClient.Unique("errors");
        using var start = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var request = new HttpRequestMessage(HttpMethod.Patch, start.Headers.Location) { Content = new ByteArrayContent([1, 2, 3]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", "garbage");
        using var response = await _client.SendAsync(request);
        Assert.True((int)response.StatusCode is 400 or 416, response.StatusCode.ToString());
        Assert.Equal("BLOB_UPLOAD_INVALID", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task Content_range_that_disagrees_with_the_body_is_rejected()
    {
        var repo = OciClient.Unique("errors");
        using var start = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        var request = new HttpRequestMessage(HttpMethod.Patch, start.Headers.Location) { Content = new ByteArrayContent(new byte[10]) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", "0-19");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var status = await _client.GetAsync(start.Headers.Location);
        Assert.Equal("0-0", status.Header("Range"));
    }
}
