using System.Net;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Robustness;

public sealed class UploadExpiryTests : IAsyncLifetime
{
    private readonly RegistryServer _server = RegistryServer.With(new()
    {
        ["Registry:UploadIdleTimeout"] = "00:00:01",
        ["Registry:UploadSweepInterval"] = "00:00:01",
    });

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Idle_upload_expires_with_its_staged_bytes_and_finished_blobs_stay()
    {
        using var client = _server.CreateClient();
        var repo = OciClient.Unique("expiry");
        var kept = OciClient.RandomBytes(5000);
        var keptDigest = await client.PushBlobAsync(repo, kept);

        string location, uuid;
        using (var post = await client.PostAsync($"/v2/{repo}/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
            location = post.Headers.Location!.OriginalString;
            uuid = post.Header("Docker-Upload-UUID")!;
        }

        using (var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(OciClient.RandomBytes(64 * 1024)) })
        using (var response = await client.SendAsync(patch))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            location = response.Headers.Location!.OriginalString;
        }

        var staged = Path.Combine(_server.DataPath, "storage", "uploads", uuid);
        Assert.True(Directory.Exists(staged), $"expected the staged bytes under {staged}");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        HttpStatusCode status;
        string? code = null;
        while (true)
        {
            using var response = await client.GetAsync(location);
            status = response.StatusCode;
            if (status == HttpStatusCode.NotFound)
            {
                code = await response.ErrorCodeAsync();
            }

            if ((status == HttpStatusCode.NotFound && !Directory.Exists(staged)) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", code);
        Assert.False(Directory.Exists(staged), $"{staged} is still there");

        // Expired means gone for good: the session takes no more chunks.
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(new byte[10]) })
        using (var response = await client.SendAsync(patch))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("BLOB_UPLOAD_UNKNOWN", await response.ErrorCodeAsync());
        }

        Assert.Equal(kept, await client.GetByteArrayAsync($"/v2/{repo}/blobs/{keptDigest}"));
    }

    [Fact]
    public async Task Upload_still_receiving_bytes_is_not_expired_mid_chunk()
    {
        using var client = _server.CreateClient();
        var repo = OciClient.Unique("expiry");
        string location;
        using (var post = await client.PostAsync($"/v2/{repo}/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
            location = post.Headers.Location!.OriginalString;
        }

        // 3 s of trickling bytes (one write per 150 ms) against a 1 s idle timeout swept every second.
        var data = OciClient.RandomBytes(20 * 4096);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new TrickleContent(data, 4096, TimeSpan.FromMilliseconds(150)) };
        using var response = await client.SendAsync(patch);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"0-{data.Length - 1}", response.Header("Range"));

        using var put = await client.PutAsync($"{response.Headers.Location!.OriginalString}?digest={OciClient.Sha256(data)}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    /// <summary>Sends its bytes in small writes with a pause between them, without a Content-Length.</summary>
    private sealed class TrickleContent(byte[] data, int chunk, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < data.Length; offset += chunk)
            {
                await stream.WriteAsync(data.AsMemory(offset, Math.Min(chunk, data.Length - offset)));
                await stream.FlushAsync();
                await Task.Delay(pause);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
