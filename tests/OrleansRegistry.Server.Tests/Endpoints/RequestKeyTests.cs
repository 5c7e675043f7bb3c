using System.Net;
using System.Text;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Endpoints;

/// <summary>
/// Every value of a URL that becomes a grain key or a storage path (repository names, references,
/// digests, upload ids) is checked before a grain is asked: empty, over-long or malformed values get
/// the spec's status and an OCI error body, never a 500.
/// </summary>
public sealed class RequestKeyTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private static readonly string ValidDigest = OciClient.Sha256([1, 2, 3]);

    private readonly HttpClient _client = server.CreateClient();

    public static TheoryData<string, string> MalformedUploadIds()
    {
        var data = new TheoryData<string, string>();
        var ids = new[] { "", "x", new string('a', 33), new string('0', 5000), "ABCDEF0123456789ABCDEF0123456789", "..%2F..%2Fetc", "0123456789abcdef0123456789abcdeg" };
        foreach (var method in new[] { "GET", "PATCH", "PUT", "DELETE" })
        {
            foreach (var id in ids)
            {
                data.Add(method, id);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedUploadIds))]
    public async Task An_upload_url_with_a_malformed_id_is_blob_upload_unknown(string method, string id)
    {
        var path = $"/v2/{OciClient.Unique("keys")}/blobs/uploads/{id}" + (method == "PUT" ? $"?digest={ValidDigest}" : "");
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "PATCH" or "PUT")
        {
            request.Content = new ByteArrayContent([1, 2, 3]);
        }

        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task A_well_formed_id_that_was_never_handed_out_is_blob_upload_unknown_too()
    {
        using var response = await _client.DeleteAsync($"/v2/{OciClient.Unique("keys")}/blobs/uploads/{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task Post_to_an_upload_session_url_is_405()
    {
        using var response = await _client.PostAsync($"/v2/{OciClient.Unique("keys")}/blobs/uploads/{Guid.NewGuid():N}", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("UNSUPPORTED", await response.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("GET", ".INVALID_MANIFEST_NAME")]
    [InlineData("HEAD", ".INVALID_MANIFEST_NAME")]
    [InlineData("DELETE", ".INVALID_MANIFEST_NAME")]
    [InlineData("GET", "sha256:zz")]
    [InlineData("HEAD", "md5:abc")]
    [InlineData("DELETE", "sha256:ABCDEF")]
    [InlineData("GET", "a-tag-that-is-far-too-long-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task A_manifest_reference_that_cannot_exist_is_manifest_unknown(string method, string reference)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/v2/{OciClient.Unique("keys")}/manifests/{reference}"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        if (method != "HEAD")
        {
            Assert.Equal("MANIFEST_UNKNOWN", await response.ErrorCodeAsync());
        }
    }

    [Theory]
    [InlineData(".INVALID_MANIFEST_NAME", "TAG_INVALID")]
    [InlineData("-leading-dash", "TAG_INVALID")]
    [InlineData("sha256:zz", "DIGEST_INVALID")]
    public async Task A_manifest_put_to_a_malformed_reference_says_which_part_is_wrong(string reference, string code)
    {
        using var response = await _client.PutManifestAsync(OciClient.Unique("keys"), reference, "{}"u8.ToArray(), OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await response.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("manifests/latest")]
    [InlineData("tags/list")]
    [InlineData("blobs/sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("referrers/sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("blobs/uploads/0123456789abcdef0123456789abcdef")]
    public async Task An_over_long_repository_name_is_name_invalid(string rest)
    {
        var name = string.Join('/', Enumerable.Repeat(new string('a', 60), 5));
        using var response = await _client.GetAsync($"/v2/{name}/{rest}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("NAME_INVALID", await response.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("blobs")]
    [InlineData("referrers")]
    public async Task An_over_long_or_malformed_digest_is_digest_invalid(string area)
    {
        foreach (var digest in new[] { "sha256:" + new string('0', 65), "sha512:" + new string('0', 2000), "sha256:" })
        {
            using var response = await _client.GetAsync($"/v2/{OciClient.Unique("keys")}/{area}/{digest}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("DIGEST_INVALID", await response.ErrorCodeAsync());
        }
    }

    [Theory]
    [InlineData("mount=sha256:zz&from=keys/other")]
    [InlineData("mount=sha256:0000000000000000000000000000000000000000000000000000000000000000&from=Not..Valid")]
    [InlineData("mount=sha256:0000000000000000000000000000000000000000000000000000000000000000&from=")]
    public async Task A_mount_with_a_malformed_digest_or_source_falls_back_to_an_upload_session(string query)
    {
        using var response = await _client.PostAsync($"/v2/{OciClient.Unique("keys")}/blobs/uploads/?{query}", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.NotNull(response.Headers.Location);
    }

    [Fact]
    public async Task Over_long_pagination_markers_are_answered()
    {
        var repo = OciClient.Unique("keys");
        await _client.PushImageAsync(repo, "v1");
        var last = Uri.EscapeDataString(new string('z', 4000));
        using var tags = await _client.GetAsync($"/v2/{repo}/tags/list?last={last}");
        Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
        using var catalog = await _client.GetAsync($"/v2/_catalog?last={last}");
        Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
    }

    [Fact]
    public async Task A_manifest_whose_content_type_differs_from_its_media_type_is_manifest_invalid_naming_both()
    {
        var repo = OciClient.Unique("keys");
        var (manifest, _) = await _client.PushImageAsync(repo, "v1");
        foreach (var contentType in new[] { "application/json", OciClient.OciIndex, "application/vnd.docker.distribution.manifest.v2+json" })
        {
            using var content = new ByteArrayContent(manifest);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            using var put = await _client.PutAsync($"/v2/{repo}/manifests/v2", content);
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            using var json = await put.ReadJsonAsync();
            var error = json.RootElement.GetProperty("errors")[0];
            Assert.Equal("MANIFEST_INVALID", error.GetProperty("code").GetString());
            var message = error.GetProperty("message").GetString()!;
            Assert.Contains(OciClient.OciManifest, message);
            Assert.Contains(contentType, message);
        }

        using var missing = await _client.GetAsync($"/v2/{repo}/manifests/v2");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_body_without_media_type_is_typed_by_its_content_type()
    {
        var repo = OciClient.Unique("keys");
        var config = await _client.PushBlobAsync(repo, "{}"u8.ToArray());
        var layer = await _client.PushBlobAsync(repo, OciClient.RandomBytes(10));
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{{config}}","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{{layer}}","size":10}]}""");
        using var put = await _client.PutManifestAsync(repo, "v1", manifest, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await _client.GetAsync($"/v2/{repo}/manifests/v1");
        Assert.Equal(OciClient.OciManifest, get.Content.Headers.ContentType!.MediaType);
    }
}
