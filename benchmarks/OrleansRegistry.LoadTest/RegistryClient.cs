using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OrleansRegistry.LoadTest;

/// <summary>The handful of OCI Distribution calls the scenarios make, over one pooled HttpClient.</summary>
public sealed class RegistryClient : IDisposable
{
    /// <summary>What containerd's resolver sends when it resolves a reference.</summary>
    public const string ContainerdAccept =
        "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, */*";

    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    private readonly HttpClient http;

    /// <summary>Token credentials (<c>--user</c>/<c>--password</c>) used by every client of this process; null: none.</summary>
    public static (string User, string Password)? Credentials { get; set; }

    public RegistryClient(Uri baseUri, int connections)
    {
        BaseUri = baseUri;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        HttpMessageHandler pipeline = Credentials is { } c ? new TokenAuthHandler(c.User, c.Password) { InnerHandler = handler } : handler;
        http = new HttpClient(pipeline) { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(600) };
    }

    public Uri BaseUri { get; }

    public HttpClient Http => http;

    public static HttpRequestMessage ManifestRequest(HttpMethod method, string repo, string reference)
    {
        var request = new HttpRequestMessage(method, $"/v2/{repo}/manifests/{reference}");
        request.Headers.TryAddWithoutValidation("Accept", ContainerdAccept);
        return request;
    }

    /// <summary>Sends, reads the whole body into a pooled scratch buffer and returns the body length.</summary>
    public async Task<long> SendAndDrainAsync(HttpRequestMessage request, HttpStatusCode expected, CancellationToken ct = default)
    {
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var length = await DrainAsync(response, ct).ConfigureAwait(false);
        if (response.StatusCode != expected)
        {
            throw new HttpRequestException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode}, expected {(int)expected}");
        }

        return length;
    }

    public static async Task<long> DrainAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<byte[]> GetBytesAsync(string path, string? accept = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        await EnsureAsync(response, HttpStatusCode.OK).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
    }

    public async Task<bool> BlobExistsAsync(string repo, string digest, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{digest}");
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>POST to open an upload session; returns the absolute Location.</summary>
    public async Task<Uri> StartUploadAsync(string repo, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/{repo}/blobs/uploads/");
        request.Content = new ByteArrayContent([]);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        await EnsureAsync(response, HttpStatusCode.Accepted).ConfigureAwait(false);
        return Location(response);
    }

    /// <summary>Monolithic push: POST, then one PUT ?digest= carrying the whole body.</summary>
    public async Task PushMonolithicAsync(string repo, ReadOnlyMemory<byte> blob, string digest, CancellationToken ct = default)
    {
        var location = await StartUploadAsync(repo, ct).ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest));
        request.Content = Octets(blob);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        await EnsureAsync(response, HttpStatusCode.Created).ConfigureAwait(false);
    }

    /// <summary>Chunked push: POST, one PATCH per chunk with Content-Range, then PUT ?digest= with no body.</summary>
    public async Task PushChunkedAsync(string repo, ReadOnlyMemory<byte> blob, int chunkSize, string digest, CancellationToken ct = default)
    {
        var location = await StartUploadAsync(repo, ct).ConfigureAwait(false);
        for (var offset = 0; offset < blob.Length; offset += chunkSize)
        {
            var chunk = blob.Slice(offset, Math.Min(chunkSize, blob.Length - offset));
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location);
            patch.Content = Octets(chunk);
            patch.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + chunk.Length - 1}");
            using var response = await http.SendAsync(patch, ct).ConfigureAwait(false);
            await EnsureAsync(response, HttpStatusCode.Accepted).ConfigureAwait(false);
            location = Location(response);
        }

        using var put = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest));
        put.Content = new ByteArrayContent([]);
        using var done = await http.SendAsync(put, ct).ConfigureAwait(false);
        await EnsureAsync(done, HttpStatusCode.Created).ConfigureAwait(false);
    }

    public async Task PutManifestAsync(string repo, string reference, byte[] manifest, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v2/{repo}/manifests/{reference}");
        request.Content = new ByteArrayContent(manifest);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(OciManifest);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        await EnsureAsync(response, HttpStatusCode.Created).ConfigureAwait(false);
    }

    public static string Sha256(ReadOnlySpan<byte> data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] ImageManifest(Descriptor config, IEnumerable<Descriptor> layers)
    {
        var sb = new StringBuilder();
        sb.Append("{\"schemaVersion\":2,\"mediaType\":\"").Append(OciManifest).Append("\",\"config\":");
        config.AppendJson(sb);
        sb.Append(",\"layers\":[");
        var first = true;
        foreach (var layer in layers)
        {
            if (!first)
            {
                sb.Append(',');
            }

            layer.AppendJson(sb);
            first = false;
        }

        sb.Append("]}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static ReadOnlyMemoryContent Octets(ReadOnlyMemory<byte> body)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = body.Length;
        return content;
    }

    private Uri Location(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new HttpRequestException("no Location header");
        return location.IsAbsoluteUri ? location : new Uri(BaseUri, location);
    }

    private static Uri WithDigest(Uri location, string digest)
    {
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        return new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest));
    }

    private static async Task EnsureAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode}, expected {(int)expected}: {body[..Math.Min(body.Length, 300)]}");
        }
    }

    public void Dispose() => http.Dispose();
}

public sealed record Descriptor(string MediaType, string Digest, long Size)
{
    public void AppendJson(StringBuilder sb) =>
        sb.Append("{\"mediaType\":\"").Append(MediaType).Append("\",\"digest\":\"").Append(Digest).Append("\",\"size\":").Append(Size).Append('}');
}
