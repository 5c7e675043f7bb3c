using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests;

/// <summary>What a 201 or 202 promised survives kill -9 of the server.</summary>
public sealed class RestartTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Pushed_image_survives_kill_9_and_is_pulled_byte_identical()
    {
        using var data = new TempDirectory();
        var repo = Oci.UniqueRepository("restart");
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"id\":\"{Guid.NewGuid()}\"}}");
        var layer = Oci.RandomBytes(3 * 1024 * 1024 + 5);
        var configDigest = Oci.Sha256(config);
        var layerDigest = Oci.Sha256(layer);
        var manifest = Oci.Manifest((configDigest, config.Length, "application/vnd.oci.image.config.v1+json"), (layerDigest, layer.Length));
        var manifestDigest = Oci.Sha256(manifest);

        await using (var first = await RegistryProcess.StartReadyAsync(data.Path, log))
        {
            using var client = first.CreateClient();
            using (var post = await client.PostBlobAsync(repo, config))
            {
                Assert.Equal(HttpStatusCode.Created, post.StatusCode);
            }

            // The layer in two PATCH chunks with Content-Range, then PUT ?digest=.
            var location = await client.StartUploadAsync(repo);
            var half = layer.Length / 2;
            using (var patch = await client.PatchChunkAsync(location, layer[..half], 0))
            {
                Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
                location = patch.Headers.Location!.OriginalString;
            }

            using (var patch = await client.PatchChunkAsync(location, layer[half..], half))
            {
                Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
                Assert.Equal($"0-{layer.Length - 1}", patch.Header("Range"));
                location = patch.Headers.Location!.OriginalString;
            }

            using (var put = await client.PutAsync(Oci.FinishUrl(location, layerDigest), null))
            {
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            var content = new ByteArrayContent(manifest);
            content.Headers.ContentType = new MediaTypeHeaderValue(Oci.ImageManifest);
            using (var put = await client.PutAsync($"/v2/{repo}/manifests/v1", content))
            {
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
                Assert.Equal(manifestDigest, put.Header("Docker-Content-Digest"));
            }

            // No grace: whatever the 201s promised must already be on disk.
            await first.KillAsync();
        }

        await using var second = await RegistryProcess.StartReadyAsync(data.Path, log);
        using var after = second.CreateClient();
        using (var get = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/v1"))
        {
            get.Headers.Accept.ParseAdd(Oci.ImageManifest);
            using var response = await after.SendAsync(get);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(manifestDigest, response.Header("Docker-Content-Digest"));
            Assert.Equal(Oci.ImageManifest, response.Content.Headers.ContentType?.MediaType);
        }

        foreach (var (bytes, digest) in new[] { (config, configDigest), (layer, layerDigest) })
        {
            using var response = await after.GetAsync($"/v2/{repo}/blobs/{digest}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(digest, response.Header("Docker-Content-Digest"));
            var pulled = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(bytes.Length, pulled.Length);
            Assert.True(bytes.AsSpan().SequenceEqual(pulled), $"blob {digest} differs after restart");
        }

        using (var tags = await after.GetAsync($"/v2/{repo}/tags/list"))
        {
            Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
            using var json = JsonDocument.Parse(await tags.Content.ReadAsByteArrayAsync());
            Assert.Equal(repo, json.RootElement.GetProperty("name").GetString());
            Assert.Equal(["v1"], json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }

        using (var catalog = await after.GetAsync("/v2/_catalog"))
        {
            Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
            using var json = JsonDocument.Parse(await catalog.Content.ReadAsByteArrayAsync());
            Assert.Contains(repo, json.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()));
        }
    }

    [Fact]
    public async Task Upload_session_survives_kill_9_and_resumes_after_the_committed_chunk()
    {
        using var data = new TempDirectory();
        var repo = Oci.UniqueRepository("resume");
        var blob = Oci.RandomBytes(2 * 1024 * 1024 + 333);
        var digest = Oci.Sha256(blob);
        var split = 1024 * 1024 + 7;
        string location;

        await using (var first = await RegistryProcess.StartReadyAsync(data.Path, log))
        {
            using var client = first.CreateClient();
            location = await client.StartUploadAsync(repo);
            using (var patch = await client.PatchChunkAsync(location, blob[..split], 0))
            {
                Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
                Assert.Equal($"0-{split - 1}", patch.Header("Range"));
                location = patch.Headers.Location!.OriginalString;
            }

            await first.KillAsync();
        }

        await using var second = await RegistryProcess.StartReadyAsync(data.Path, log);
        using var after = second.CreateClient();
        using (var status = await after.GetAsync(location))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal($"0-{split - 1}", status.Header("Range"));
            location = status.Headers.Location?.OriginalString ?? location;
        }

        using (var patch = await after.PatchChunkAsync(location, blob[split..], split))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{blob.Length - 1}", patch.Header("Range"));
            location = patch.Headers.Location!.OriginalString;
        }

        using (var put = await after.PutAsync(Oci.FinishUrl(location, digest), null))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        }

        using var get = await after.GetAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(digest, get.Header("Docker-Content-Digest"));
        var pulled = await get.Content.ReadAsByteArrayAsync();
        Assert.True(blob.AsSpan().SequenceEqual(pulled), "the resumed blob differs");
    }

    [Fact]
    public async Task Kill_9_while_a_patch_streams_loses_only_that_chunk_and_its_partial_bytes_do_not_confuse_the_retry()
    {
        using var data = new TempDirectory();
        var repo = Oci.UniqueRepository("midchunk");
        var blob = Oci.RandomBytes(5 * 1024 * 1024 + 77);
        var digest = Oci.Sha256(blob);
        var split = 1024 * 1024 + 13;
        string location;
        string stagedData;

        await using (var first = await RegistryProcess.StartReadyAsync(data.Path, log))
        {
            using var client = first.CreateClient();
            location = await client.StartUploadAsync(repo);
            using (var patch = await client.PatchChunkAsync(location, blob[..split], 0))
            {
                Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
                location = patch.Headers.Location!.OriginalString;
            }

            var uploadId = location.TrimEnd('/').Split('/')[^1].Split('?')[0];
            stagedData = Path.Combine(data.Path, "storage", "uploads", uploadId, "data");
            Assert.Equal(split, new FileInfo(stagedData).Length);

            // The second chunk trickles in; the server dies once some of it reached the staged file.
            var body = new ThrottledStream(blob[split..], bytesPerTick: 256 * 1024, tick: TimeSpan.FromMilliseconds(50));
            using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamContent(body) };
            request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{split}-{blob.Length - 1}");
            var streaming = client.SendAsync(request);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (new FileInfo(stagedData).Length <= split && DateTime.UtcNow < deadline && !streaming.IsCompleted)
            {
                await Task.Delay(10);
            }

            await first.KillAsync();
            var partial = new FileInfo(stagedData).Length;
            Assert.InRange(partial, split + 1, blob.Length - 1);
            await Assert.ThrowsAnyAsync<Exception>(() => streaming);
        }

        await using var second = await RegistryProcess.StartReadyAsync(data.Path, log);
        using var after = second.CreateClient();
        using (var status = await after.GetAsync(location))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal($"0-{split - 1}", status.Header("Range"));
            location = status.Headers.Location?.OriginalString ?? location;
        }

        // The dead attempt's bytes are still past the committed length; the retry starts at it.
        Assert.True(new FileInfo(stagedData).Length > split);
        var retried = blob[split..(split + 2 * 1024 * 1024)];
        using (var patch = await after.PatchChunkAsync(location, retried, split))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{split + retried.Length - 1}", patch.Header("Range"));
            location = patch.Headers.Location!.OriginalString;
        }

        using (var patch = await after.PatchChunkAsync(location, blob[(split + retried.Length)..], split + retried.Length))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            Assert.Equal($"0-{blob.Length - 1}", patch.Header("Range"));
            location = patch.Headers.Location!.OriginalString;
        }

        using (var put = await after.PutAsync(Oci.FinishUrl(location, digest), null))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal(digest, put.Header("Docker-Content-Digest"));
        }

        Assert.False(File.Exists(stagedData));
        var pulled = await after.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}");
        Assert.True(blob.AsSpan().SequenceEqual(pulled), "the blob pushed after the kill differs");
    }
}
