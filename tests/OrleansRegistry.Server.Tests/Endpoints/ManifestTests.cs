using System.Net;
using System.Text;
using System.Text.Json;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Endpoints;

public sealed class ManifestTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task Put_by_tag_then_get_and_head_by_tag_and_digest()
    {
        var repo = OciClient.Unique("manifests");
        var (manifest, digest) = await _client.PushImageAsync(repo, "v1");
        foreach (var reference in new[] { "v1", digest })
        {
            using var get = await GetAsync(repo, reference, OciClient.OciManifest);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(OciClient.OciManifest, get.Content.Headers.ContentType!.ToString());
            Assert.Equal(digest, get.Header("Docker-Content-Digest"));
            Assert.Equal($"\"{digest}\"", get.Headers.ETag!.Tag);
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());

            using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/manifests/{reference}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(manifest.Length, head.Content.Headers.ContentLength);
            Assert.Equal(digest, head.Header("Docker-Content-Digest"));
        }
    }

    [Fact]
    public async Task Put_responds_with_location_and_digest()
    {
        var repo = OciClient.Unique("manifests");
        var config = await _client.PushBlobAsync(repo, "{}"u8.ToArray());
        var layer = await _client.PushBlobAsync(repo, OciClient.RandomBytes(10));
        var manifest = OciClient.ImageManifest(config, 2, layer, 10);
        using var put = await _client.PutManifestAsync(repo, "latest", manifest, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(OciClient.Sha256(manifest), put.Header("Docker-Content-Digest"));
        Assert.Equal($"/v2/{repo}/manifests/{OciClient.Sha256(manifest)}", put.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Manifest_referencing_a_missing_blob_is_manifest_blob_unknown()
    {
        var repo = OciClient.Unique("manifests");
        var config = await _client.PushBlobAsync(repo, "{}"u8.ToArray());
        var missing = OciClient.Sha256(OciClient.RandomBytes(10));
        using var put = await _client.PutManifestAsync(repo, "v1", OciClient.ImageManifest(config, 2, missing, 10), OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task Blob_of_another_repository_does_not_count()
    {
        var other = OciClient.Unique("manifests");
        var repo = OciClient.Unique("manifests");
        var config = await _client.PushBlobAsync(other, "{}"u8.ToArray());
        var layer = await _client.PushBlobAsync(other, OciClient.RandomBytes(10));
        using var put = await _client.PutManifestAsync(repo, "v1", OciClient.ImageManifest(config, 2, layer, 10), OciClient.OciManifest);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task Index_with_a_missing_child_is_rejected_and_accepted_once_the_child_exists()
    {
        var repo = OciClient.Unique("manifests");
        var (child, childDigest) = await _client.PushImageAsync(repo, "amd64");
        var absent = OciClient.Sha256(OciClient.RandomBytes(8));
        var index = Index((childDigest, child.Length), (absent, 100));
        using (var put = await _client.PutManifestAsync(repo, "multi", index, OciClient.OciIndex))
        {
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
        }

        using var ok = await _client.PutManifestAsync(repo, "multi", Index((childDigest, child.Length)), OciClient.OciIndex);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        using var get = await GetAsync(repo, "multi", OciClient.OciIndex);
        Assert.Equal(OciClient.OciIndex, get.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Invalid_json_and_invalid_structure_are_manifest_invalid()
    {
        var repo = OciClient.Unique("manifests");
        foreach (var body in new[] { "not json", "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}", "[]" })
        {
            using var put = await _client.PutManifestAsync(repo, "bad", Encoding.UTF8.GetBytes(body), OciClient.OciManifest);
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
        }
    }

    [Fact]
    public async Task Put_by_digest_must_match_the_body()
    {
        var repo = OciClient.Unique("manifests");
        var (manifest, _) = await _client.PushImageAsync(repo, "v1");
        using var put = await _client.PutManifestAsync(repo, OciClient.Sha256(OciClient.RandomBytes(4)), manifest, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await put.ErrorCodeAsync());

        using var ok = await _client.PutManifestAsync(repo, OciClient.Sha256(manifest), manifest, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Fact]
    public async Task Artifact_with_empty_config_and_artifact_type_is_accepted()
    {
        var repo = OciClient.Unique("manifests");
        var empty = await _client.PushBlobAsync(repo, "{}"u8.ToArray());
        var payload = await _client.PushBlobAsync(repo, OciClient.RandomBytes(64));
        var artifact = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = OciClient.OciManifest,
            artifactType = "application/vnd.example.sbom.v1",
            config = new { mediaType = OciClient.EmptyType, digest = empty, size = 2 },
            layers = new[] { new { mediaType = "application/vnd.example.data", digest = payload, size = 64 } },
        });
        using var put = await _client.PutManifestAsync(repo, "sbom", artifact, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Manifest_of_4_MiB_is_accepted_and_larger_than_the_maximum_is_413()
    {
        var repo = OciClient.Unique("manifests");
        var config = await _client.PushBlobAsync(repo, "{}"u8.ToArray());
        var layer = await _client.PushBlobAsync(repo, OciClient.RandomBytes(10));
        var big = BigManifest(config, layer, 4 * 1024 * 1024 - 1);
        using (var put = await _client.PutManifestAsync(repo, "big", big, OciClient.OciManifest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var tooBig = await _client.PutManifestAsync(repo, "huge", BigManifest(config, layer, 4 * 1024 * 1024 + 10), OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
    }

    [Fact]
    public async Task Missing_tag_is_manifest_unknown()
    {
        var repo = OciClient.Unique("manifests");
        await _client.PushImageAsync(repo, "v1");
        using var get = await GetAsync(repo, "nope", OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await get.ErrorCodeAsync());
    }

    [Fact]
    public async Task Accept_that_excludes_the_stored_type_is_not_served()
    {
        var repo = OciClient.Unique("manifests");
        await _client.PushImageAsync(repo, "v1");
        using var get = await GetAsync(repo, "v1", OciClient.DockerManifest);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var any = await GetAsync(repo, "v1", "*/*");
        Assert.Equal(HttpStatusCode.OK, any.StatusCode);
    }

    [Fact]
    public async Task Subject_answers_oci_subject_even_when_the_subject_is_missing()
    {
        var repo = OciClient.Unique("manifests");
        var subject = OciClient.Sha256(OciClient.RandomBytes(8));
        var config = await _client.PushBlobAsync(repo, "{}"u8.ToArray());
        var layer = await _client.PushBlobAsync(repo, OciClient.RandomBytes(10));
        var manifest = OciClient.ImageManifest(config, 2, layer, 10, subject, "application/vnd.example.sig");
        using var put = await _client.PutManifestAsync(repo, OciClient.Sha256(manifest), manifest, OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(subject, put.Header("OCI-Subject"));
    }

    private static byte[] Index(params (string Digest, long Size)[] children) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = OciClient.OciIndex,
            manifests = children.Select(c => new
            {
                mediaType = OciClient.OciManifest,
                digest = c.Digest,
                size = c.Size,
                platform = new { architecture = "amd64", os = "linux" },
            }),
        });

    private static byte[] BigManifest(string config, string layer, int size)
    {
        var head = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{OciClient.OciManifest}\",\"config\":{{\"mediaType\":\"{OciClient.OciConfig}\",\"digest\":\"{config}\",\"size\":2}}," +
            $"\"layers\":[{{\"mediaType\":\"{OciClient.OciLayer}\",\"digest\":\"{layer}\",\"size\":10}}],\"annotations\":{{\"pad\":\"");
        var tail = "\"}}"u8.ToArray();
        var padding = Enumerable.Repeat((byte)'x', size - head.Length - tail.Length).ToArray();
        return [.. head, .. padding, .. tail];
    }

    private Task<HttpResponseMessage> GetAsync(string repo, string reference, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/{reference}");
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return _client.SendAsync(request);
    }
}
