using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>Just enough of the OCI distribution API to push and pull in these tests.</summary>
public static class Oci
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";

    public static string Sha256(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] RandomBytes(int length)
    {
        var data = new byte[length];
        Random.Shared.NextBytes(data);
        return data;
    }

    public static string UniqueRepository(string prefix) => $"{prefix}/{Guid.NewGuid():N}";

    /// <summary>Monolithic <c>POST ?digest=</c>.</summary>
    public static async Task<HttpResponseMessage> PostBlobAsync(this HttpClient client, string repository, byte[] data) =>
        await client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={Sha256(data)}", new ByteArrayContent(data));

    public static async Task<string> StartUploadAsync(this HttpClient client, string repository)
    {
        using var response = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    public static async Task<HttpResponseMessage> PatchChunkAsync(this HttpClient client, string location, byte[] chunk, long offset)
    {
        var content = new ByteArrayContent(chunk);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };

        // The OCI form has no unit ("0-99"), so it cannot go through the typed header.
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + chunk.Length - 1}");
        return await client.SendAsync(request);
    }

    public static string FinishUrl(string location, string digest) =>
        location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);

    public static byte[] Manifest((string Digest, long Size, string MediaType) config, params (string Digest, long Size)[] layers) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = ImageManifest,
            config = new { mediaType = config.MediaType, digest = config.Digest, size = config.Size },
            layers = layers.Select(l => new { mediaType = "application/vnd.oci.image.layer.v1.tar", digest = l.Digest, size = l.Size }).ToArray(),
        });

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : null;

    public static async Task<string> ErrorCodeAsync(this HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }
}

/// <summary>A fresh directory under the temp path, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orleans-registry-it", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
