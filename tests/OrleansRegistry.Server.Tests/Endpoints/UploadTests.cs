using System.Net;
using System.Net.Http.Headers;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Endpoints;

public sealed class UploadTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task Post_opens_a_session_with_location_uuid_and_empty_range()
    {
        var repo = OciClient.Unique("uploads");
        using var response = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        var uuid = response.Header("Docker-Upload-UUID");
        Assert.Equal($"/v2/{repo}/blobs/uploads/{uuid}", location);
        Assert.Equal("0-0", response.Header("Range"));
    }

    [Fact]
    public async Task Chunked_upload_with_content_range_then_put_stores_the_blob()
    {
        var repo = OciClient.Unique("uploads");
        var data = OciClient.RandomBytes(3 * 1024 * 1024 + 17);
        var location = await StartAsync(repo);
        var chunk = 1024 * 1024;
        for (var offset = 0; offset < data.Length; offset += chunk)
        {
            var length = Math.Min(chunk, data.Length - offset);
            using var patch = await PatchAsync(location, data.AsMemory(offset, length).ToArray(), $"{offset}-{offset + length - 1}");
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{offset + length - 1}", patch.Header("Range"));
            location = patch.Headers.Location!.OriginalString;
        }

        using (var status = await _client.GetAsync(location))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal($"0-{data.Length - 1}", status.Header("Range"));
        }

        var digest = OciClient.Sha256(data);
        using var put = await _client.PutAsync($"{location}?digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        Assert.Equal($"/v2/{repo}/blobs/{digest}", put.Headers.Location!.OriginalString);
        Assert.Equal(data, await _client.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}"));
    }

    [Fact]
    public async Task Out_of_order_and_retried_chunks_get_416_with_the_committed_range()
    {
        var repo = OciClient.Unique("uploads");
        var location = await StartAsync(repo);
        using (var first = await PatchAsync(location, new byte[10], "0-9"))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        using (var retried = await PatchAsync(location, new byte[10], "0-9"))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, retried.StatusCode);
            Assert.Equal("0-9", retried.Header("Range"));
            Assert.Equal("BLOB_UPLOAD_INVALID", await retried.ErrorCodeAsync());
        }

        using var gap = await PatchAsync(location, new byte[10], "20-29");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, gap.StatusCode);
    }

    [Fact]
    public async Task Streamed_patch_with_chunked_transfer_encoding_is_appended()
    {
        var repo = OciClient.Unique("uploads");
        var data = OciClient.RandomBytes(2 * 1024 * 1024 + 5);
        var location = await StartAsync(repo);
        var content = new StreamContent(new NonSeekableStream(new MemoryStream(data)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var patch = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal($"0-{data.Length - 1}", patch.Header("Range"));

        var digest = OciClient.Sha256(data);
        using var put = await _client.PutAsync($"{patch.Headers.Location!.OriginalString}?digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(data, await _client.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}"));
    }

    [Fact]
    public async Task Put_with_the_last_chunk_finishes_the_upload()
    {
        var repo = OciClient.Unique("uploads");
        var data = OciClient.RandomBytes(100_000);
        var location = await StartAsync(repo);
        using (var patch = await PatchAsync(location, data[..50_000], "0-49999"))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        }

        var digest = OciClient.Sha256(data);
        using var put = await _client.PutAsync($"{location}?digest={digest}", new ByteArrayContent(data[50_000..]));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(data, await _client.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}"));
    }

    [Fact]
    public async Task Wrong_digest_is_digest_invalid_and_nothing_is_stored()
    {
        var repo = OciClient.Unique("uploads");
        var data = OciClient.RandomBytes(1000);
        var wrong = OciClient.Sha256(OciClient.RandomBytes(10));
        var location = await StartAsync(repo);
        using var put = await _client.PutAsync($"{location}?digest={wrong}", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("DIGEST_INVALID", await put.ErrorCodeAsync());
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{wrong}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        using var head2 = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{OciClient.Sha256(data)}"));
        Assert.Equal(HttpStatusCode.NotFound, head2.StatusCode);
    }

    [Fact]
    public async Task Retried_put_after_a_lost_201_answers_201_again()
    {
        var repo = OciClient.Unique("uploads");
        var data = OciClient.RandomBytes(1000);
        var digest = OciClient.Sha256(data);
        var location = await StartAsync(repo);
        using (var first = await _client.PutAsync($"{location}?digest={digest}", new ByteArrayContent(data)))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using var again = await _client.PutAsync($"{location}?digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal(digest, again.Header("Docker-Content-Digest"));
    }

    [Fact]
    public async Task Sha512_digests_are_verified_by_reading_the_staged_bytes()
    {
        var repo = OciClient.Unique("uploads");
        var data = OciClient.RandomBytes(70_000);
        var digest = "sha512:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(data));
        var location = await StartAsync(repo);
        using var put = await _client.PutAsync($"{location}?digest={digest}", new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(data, await _client.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}"));
    }

    [Fact]
    public async Task Racing_patches_leave_exactly_one_chunk()
    {
        var repo = OciClient.Unique("uploads");
        var location = await StartAsync(repo);
        var a = OciClient.RandomBytes(2 * 1024 * 1024);
        var b = OciClient.RandomBytes(2 * 1024 * 1024);
        var results = await Task.WhenAll(PatchAsync(location, a, $"0-{a.Length - 1}"), PatchAsync(location, b, $"0-{b.Length - 1}"));
        var codes = results.Select(r => r.StatusCode).OrderBy(c => c).ToArray();
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.RequestedRangeNotSatisfiable], codes);

        var winner = results[0].StatusCode == HttpStatusCode.Accepted ? a : b;
        using var put = await _client.PutAsync($"{location}?digest={OciClient.Sha256(winner)}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        foreach (var r in results)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task A_patch_while_another_streams_into_the_upload_gets_416_and_the_streaming_one_is_kept()
    {
        var repo = OciClient.Unique("uploads");
        var location = await StartAsync(repo);
        var head = OciClient.RandomBytes(1000);
        using (var patch = await PatchAsync(location, head, $"0-{head.Length - 1}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        }

        // The first chunk has sent 2 MiB (so the server has begun staging it) and then stalls.
        var streaming = OciClient.RandomBytes(3 * 1024 * 1024);
        var body = new GatedStream(streaming, 2 * 1024 * 1024);
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{head.Length}-{head.Length + streaming.Length - 1}");
        var first = _client.SendAsync(request);
        await body.Stalled.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(200);

        using (var second = await PatchAsync(location, OciClient.RandomBytes(500), $"{head.Length}-{head.Length + 499}"))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, second.StatusCode);
            Assert.Equal($"0-{head.Length - 1}", second.Header("Range"));
        }

        body.Release();
        using (var kept = await first)
        {
            Assert.Equal(HttpStatusCode.Accepted, kept.StatusCode);
            Assert.Equal($"0-{head.Length + streaming.Length - 1}", kept.Header("Range"));
        }

        byte[] blob = [.. head, .. streaming];
        using var put = await _client.PutAsync($"{location}?digest={OciClient.Sha256(blob)}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(blob, await _client.GetByteArrayAsync($"/v2/{repo}/blobs/{OciClient.Sha256(blob)}"));
    }

    [Fact]
    public async Task Delete_cancels_the_session()
    {
        var repo = OciClient.Unique("uploads");
        var location = await StartAsync(repo);
        using (var delete = await _client.DeleteAsync(location))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var status = await _client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await status.ErrorCodeAsync());
    }

    [Fact]
    public async Task Unknown_session_is_blob_upload_unknown()
    {
        using var response = await _client.GetAsync($"/v2/{OciClient.Unique("uploads")}/blobs/uploads/{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task Mount_from_another_repository_links_the_blob()
    {
        var source = OciClient.Unique("mount");
        var target = OciClient.Unique("mount");
        var digest = await _client.PushBlobAsync(source, OciClient.RandomBytes(5000));
        using var mount = await _client.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}&from={source}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/{target}/blobs/{digest}", mount.Headers.Location!.OriginalString);
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{target}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task Mount_without_from_discovers_the_blob()
    {
        var digest = await _client.PushBlobAsync(OciClient.Unique("mount"), OciClient.RandomBytes(5000));
        var target = OciClient.Unique("mount");
        using var mount = await _client.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
    }

    [Fact]
    public async Task Mount_of_a_missing_blob_starts_an_upload()
    {
        var target = OciClient.Unique("mount");
        var missing = OciClient.Sha256(OciClient.RandomBytes(16));
        using var mount = await _client.PostAsync($"/v2/{target}/blobs/uploads/?mount={missing}&from={OciClient.Unique("mount")}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.NotNull(mount.Header("Docker-Upload-UUID"));
    }

    [Fact]
    public async Task Empty_blob_can_be_pushed_and_pulled()
    {
        var repo = OciClient.Unique("uploads");
        var digest = await _client.PushBlobAsync(repo, []);
        using var get = await _client.GetAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Empty(await get.Content.ReadAsByteArrayAsync());
    }

    private async Task<string> StartAsync(string repo)
    {
        using var response = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    private Task<HttpResponseMessage> PatchAsync(string location, byte[] data, string contentRange)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
        // The OCI Content-Range has no unit, which HttpClient's typed header rejects.
        request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        return _client.SendAsync(request);
    }

    /// <summary>A request body that sends its first bytes, then waits until released.</summary>
    private sealed class GatedStream(byte[] data, int gateAt) : Stream
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public Task Stalled => _stalled.Task;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public void Release() => _released.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == gateAt)
            {
                _stalled.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }

            var end = _position < gateAt ? gateAt : data.Length;
            var count = Math.Min(buffer.Length, end - _position);
            data.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
