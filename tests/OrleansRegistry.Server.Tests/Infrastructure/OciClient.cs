using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansRegistry.Server.Tests.Infrastructure;

/// <summary>Small helpers over HttpClient for pushing and pulling through the OCI API in tests.</summary>
public static class OciClient
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string EmptyType = "application/vnd.oci.empty.v1+json";

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] RandomBytes(int length)
    {
        var data = new byte[length];
        Random.Shared.NextBytes(data);
        return data;
    }

    public static string Unique(string prefix) => $"{prefix}/{Guid.NewGuid():N}";

    /// <summary>Monolithic POST ?digest= upload; returns the digest.</summary>
    public static async Task<string> PushBlobAsync(this HttpClient client, string repository, byte[] data)
    {
        var digest = Sha256(data);
        using var response = await client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={digest}", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return digest;
    }

    public static async Task<HttpResponseMessage> PutManifestAsync(this HttpClient client, string repository, string reference, byte[] manifest, string mediaType)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await client.PutAsync($"/v2/{repository}/manifests/{reference}", content);
    }

    /// <summary>Pushes a config and one layer, then an OCI image manifest; returns (manifest bytes, digest).</summary>
    public static async Task<(byte[] Manifest, string Digest)> PushImageAsync(
        this HttpClient client, string repository, string tag, string? subject = null, string? artifactType = null)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"{Guid.NewGuid()}\"}}");
        var layer = RandomBytes(4096);
        var configDigest = await client.PushBlobAsync(repository, config);
        var layerDigest = await client.PushBlobAsync(repository, layer);
        var manifest = ImageManifest(configDigest, config.Length, layerDigest, layer.Length, subject, artifactType);
        using var response = await client.PutManifestAsync(repository, tag, manifest, OciManifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (manifest, Sha256(manifest));
    }

    public static byte[] ImageManifest(string configDigest, long configSize, string layerDigest, long layerSize,
        string? subject = null, string? artifactType = null, long subjectSize = 0)
    {
        var value = new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciManifest,
            ["config"] = new { mediaType = OciConfig, digest = configDigest, size = configSize },
            ["layers"] = new[] { new { mediaType = OciLayer, digest = layerDigest, size = layerSize } },
        };
        if (subject is not null)
        {
            value["subject"] = new { mediaType = OciManifest, digest = subject, size = subjectSize };
        }

        if (artifactType is not null)
        {
            value["artifactType"] = artifactType;
            value["annotations"] = new Dictionary<string, string> { ["org.example.kind"] = artifactType };
        }

        return JsonSerializer.SerializeToUtf8Bytes(value);
    }

    public static async Task<JsonDocument> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());

    public static async Task<string> ErrorCodeAsync(this HttpResponseMessage response)
    {
        using var json = await response.ReadJsonAsync();
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : null;
}
