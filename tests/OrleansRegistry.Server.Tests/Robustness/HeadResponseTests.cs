using System.Net;
using System.Net.Sockets;
using System.Text;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Robustness;

/// <summary>
/// HEAD checked on the wire: the headers of the GET (Content-Length the size of what GET would
/// send) and not one byte of body, which would corrupt the next response on a kept-alive connection.
/// </summary>
public sealed class HeadResponseTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    [Fact]
    public async Task Head_of_manifest_by_tag_and_digest_and_of_blobs_has_length_and_no_body()
    {
        using var client = server.CreateClient();
        var repo = OciClient.Unique("head");
        var (manifest, manifestDigest) = await client.PushImageAsync(repo, "v1");
        var blob = OciClient.RandomBytes(12345);
        var blobDigest = await client.PushBlobAsync(repo, blob);
        var empty = Array.Empty<byte>();
        var emptyDigest = await client.PushBlobAsync(repo, empty);

        foreach (var (path, length, digest) in new[]
        {
            ($"/v2/{repo}/manifests/v1", manifest.Length, manifestDigest),
            ($"/v2/{repo}/manifests/{manifestDigest}", manifest.Length, manifestDigest),
            ($"/v2/{repo}/blobs/{blobDigest}", blob.Length, blobDigest),
            ($"/v2/{repo}/blobs/{emptyDigest}", 0, emptyDigest),
        })
        {
            var raw = await RawAsync("HEAD", path, $"Accept: {OciClient.OciManifest}");
            Assert.Equal(200, raw.Status);
            Assert.Equal(length.ToString(), raw.Headers.GetValueOrDefault("content-length"));
            Assert.Equal(digest, raw.Headers.GetValueOrDefault("docker-content-digest"));
            Assert.True(raw.Body.Length == 0, $"HEAD {path} sent {raw.Body.Length} body bytes");

            var get = await RawAsync("GET", path, $"Accept: {OciClient.OciManifest}");
            Assert.Equal(200, get.Status);
            Assert.Equal(length, get.Body.Length);
            Assert.Equal(get.Headers.GetValueOrDefault("content-type"), raw.Headers.GetValueOrDefault("content-type"));
        }
    }

    [Fact]
    public async Task Head_of_unknown_manifest_and_blob_is_404_without_body()
    {
        var repo = OciClient.Unique("head");
        var missing = OciClient.Sha256(OciClient.RandomBytes(10));
        foreach (var path in new[] { $"/v2/{repo}/manifests/nope", $"/v2/{repo}/manifests/{missing}", $"/v2/{repo}/blobs/{missing}" })
        {
            var raw = await RawAsync("HEAD", path);
            Assert.Equal(404, raw.Status);
            Assert.True(raw.Body.Length == 0, $"HEAD {path} sent {raw.Body.Length} body bytes");
        }
    }

    [Fact]
    public async Task Heads_on_one_kept_alive_connection_leave_the_next_response_intact()
    {
        using var client = server.CreateClient();
        var repo = OciClient.Unique("head");
        var (_, manifestDigest) = await client.PushImageAsync(repo, "v1");
        var blob = OciClient.RandomBytes(777);
        var blobDigest = await client.PushBlobAsync(repo, blob);

        // One HttpClient connection: a stray body byte after a HEAD would break the GET after it.
        for (var i = 0; i < 5; i++)
        {
            using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{blobDigest}")))
            {
                Assert.Equal(HttpStatusCode.OK, head.StatusCode);
                Assert.Equal(777, head.Content.Headers.ContentLength);
            }

            using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/manifests/{manifestDigest}")))
            {
                Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            }

            Assert.Equal(blob, await client.GetByteArrayAsync($"/v2/{repo}/blobs/{blobDigest}"));
        }
    }

    private async Task<(int Status, Dictionary<string, string> Headers, byte[] Body)> RawAsync(string method, string path, params string[] headers)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tcp.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port, timeout.Token);
        await using var stream = tcp.GetStream();
        var request = new StringBuilder()
            .Append($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.BaseAddress.Port}\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            request.Append(header).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.Append("\r\n").ToString()), timeout.Token);
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var bytes = received.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        Assert.True(end > 0, "no complete response head");
        var lines = Encoding.ASCII.GetString(bytes, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var parsed = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        Assert.False(parsed.ContainsKey("transfer-encoding"), $"{method} {path} answered with Transfer-Encoding");
        return (status, parsed, bytes[(end + 4)..]);
    }
}
