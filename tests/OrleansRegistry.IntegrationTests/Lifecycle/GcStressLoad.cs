using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests.Lifecycle;

/// <summary>
/// Pushers against a registry whose garbage collection runs all the time with a short grace period:
/// images from a small shared layer pool, cross-repository mounts, tag moves, manifest and tag deletes,
/// index pushes, and pauses between the blobs and the manifest <c>PUT</c> that straddle the grace
/// period. It counts what it did and, for every <c>MANIFEST_BLOB_UNKNOWN</c>, whether every blob the
/// manifest names was touched (uploaded, mounted, found by a HEAD, or pushed as a child) within the
/// grace period: such an answer is a violation. Requests that fail for other reasons (a silo killed)
/// are counted and the step is skipped.
/// </summary>
internal sealed class GcStressLoad(Func<HttpClient> client, TimeSpan grace, int repositories = 4, int poolSize = 6)
{
    private const string Index = "application/vnd.oci.image.index.v1+json";

    /// <summary>Under this much of the grace period since its touch a blob must still be there (the rest is the timing's margin).</summary>
    private readonly TimeSpan _mustSurvive = grace * 0.75;

    private readonly byte[][] _pool = [.. Enumerable.Range(0, poolSize).Select(i => Oci.RandomBytes(2048 + 512 * i))];

    private readonly string _prefix = $"gc-stress-{Guid.NewGuid():N}"[..20];

    public ConcurrentDictionary<string, int> Counts { get; } = new();

    public ConcurrentQueue<string> Violations { get; } = new();

    public IEnumerable<string> Repositories => Enumerable.Range(0, repositories).Select(i => $"{_prefix}/r{i}");

    public Task RunAsync(int pushers, TimeSpan duration) =>
        Task.WhenAll(Enumerable.Range(0, pushers).Select(p => PushAsync(new Random(p * 7919 + 1), DateTime.UtcNow + duration)));

    private void Count(string what) => Counts.AddOrUpdate(what, 1, (_, n) => n + 1);

    private async Task PushAsync(Random random, DateTime until)
    {
        using var http = client();
        while (DateTime.UtcNow < until)
        {
            var repository = $"{_prefix}/r{random.Next(repositories)}";
            try
            {
                var roll = random.NextDouble();
                if (roll < 0.6)
                {
                    await PushImageAsync(http, random, repository, $"t{random.Next(6)}");
                }
                else if (roll < 0.75)
                {
                    await PushIndexAsync(http, random, repository);
                }
                else
                {
                    await DeleteAsync(http, random, repository, byTag: roll < 0.85);
                }
            }
            catch (Exception error) when (error is HttpRequestException or TaskCanceledException or StressStepFailed)
            {
                Count("failed-steps");
            }
        }
    }

    /// <summary>An image by tag (or by digest with no tag); its digest, or null when the registry refused it for a blob gone after its grace.</summary>
    private async Task<(string Digest, long Size)?> PushImageAsync(HttpClient http, Random random, string repository, string? tag)
    {
        var touched = new Dictionary<string, DateTime>();
        var layers = new List<(string Digest, long Size)>();
        foreach (var layer in _pool.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
        {
            layers.Add((await EnsureBlobAsync(http, random, repository, layer), layer.Length));
            touched[layers[^1].Digest] = DateTime.UtcNow;
        }

        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"{Guid.NewGuid()}\"}}");
        var configDigest = await UploadAsync(http, repository, config);
        touched[configDigest] = DateTime.UtcNow;

        // Sometimes shorter, sometimes longer than the grace period.
        await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * grace.TotalMilliseconds * 1.5));
        var manifest = Oci.Manifest((configDigest, config.Length, "application/vnd.oci.image.config.v1+json"), [.. layers]);
        return await PutManifestAsync(http, repository, tag ?? Oci.Sha256(manifest), manifest, Oci.ImageManifest, touched) ? (Oci.Sha256(manifest), manifest.Length) : null;
    }

    /// <summary>Two images by digest, then an index of them by tag.</summary>
    private async Task PushIndexAsync(HttpClient http, Random random, string repository)
    {
        var children = new List<(string Digest, long Size)>();
        var touched = new Dictionary<string, DateTime>();
        for (var i = 0; i < 2; i++)
        {
            if (await PushImageAsync(http, random, repository, tag: null) is not { } child)
            {
                return;
            }

            children.Add(child);
            touched[child.Digest] = DateTime.UtcNow;
        }

        var index = JsonSerializer.SerializeToUtf8Bytes(new
        {
            schemaVersion = 2,
            mediaType = Index,
            manifests = children.Select((c, i) => new { mediaType = Oci.ImageManifest, digest = c.Digest, size = c.Size, platform = new { architecture = i == 0 ? "amd64" : "arm64", os = "linux" } }),
        });
        if (await PutManifestAsync(http, repository, $"multi{random.Next(3)}", index, Index, touched))
        {
            Count("index-pushes");
        }
    }

    private async Task DeleteAsync(HttpClient http, Random random, string repository, bool byTag)
    {
        using var tags = await http.GetAsync($"/v2/{repository}/tags/list");
        if (tags.StatusCode != HttpStatusCode.OK)
        {
            return;
        }

        var names = JsonDocument.Parse(await tags.Content.ReadAsStringAsync()).RootElement.GetProperty("tags");
        if (names.ValueKind != JsonValueKind.Array || names.GetArrayLength() == 0)
        {
            return;
        }

        var tag = names[random.Next(names.GetArrayLength())].GetString()!;
        var reference = tag;
        if (!byTag)
        {
            using var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{tag}");
            head.Headers.Accept.ParseAdd(Oci.ImageManifest);
            head.Headers.Accept.ParseAdd(Index);
            using var found = await http.SendAsync(head);
            if (found.Header("Docker-Content-Digest") is not { } digest)
            {
                return;
            }

            reference = digest;
        }

        using var deleted = await http.DeleteAsync($"/v2/{repository}/manifests/{reference}");
        Count(deleted.StatusCode == HttpStatusCode.Accepted ? (byTag ? "tag-deletes" : "manifest-deletes") : "deletes-not-found");
    }

    /// <summary>A pool layer into the repository: already there (HEAD), mounted from a sibling, or uploaded.</summary>
    private async Task<string> EnsureBlobAsync(HttpClient http, Random random, string repository, byte[] layer)
    {
        var digest = Oci.Sha256(layer);
        using (var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{digest}"))
        using (var found = await http.SendAsync(head))
        {
            if (found.StatusCode == HttpStatusCode.OK)
            {
                Count("blobs-found");
                return digest;
            }
        }

        var from = $"{_prefix}/r{random.Next(repositories)}";
        if (from != repository)
        {
            using var mount = await http.PostAsync($"/v2/{repository}/blobs/uploads/?mount={digest}&from={from}", null);
            if (mount.StatusCode == HttpStatusCode.Created)
            {
                Count("mounts");
                return digest;
            }

            if (mount.Headers.Location is { } location)
            {
                using var cancel = await http.DeleteAsync(location);
            }
        }

        return await UploadAsync(http, repository, layer);
    }

    private async Task<string> UploadAsync(HttpClient http, string repository, byte[] data)
    {
        using var upload = await http.PostBlobAsync(repository, data);
        Count(upload.StatusCode == HttpStatusCode.Created ? "uploads" : $"upload-{(int)upload.StatusCode}");
        return upload.StatusCode == HttpStatusCode.Created ? Oci.Sha256(data) : throw new StressStepFailed();
    }

    private async Task<bool> PutManifestAsync(HttpClient http, string repository, string reference, byte[] manifest, string mediaType, Dictionary<string, DateTime> touched)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var put = await http.PutAsync($"/v2/{repository}/manifests/{reference}", content);
        if (put.StatusCode == HttpStatusCode.Created)
        {
            Count(mediaType == Index ? "index-manifests" : "pushes");
            return true;
        }

        var body = await put.Content.ReadAsStringAsync();
        if (put.StatusCode == HttpStatusCode.BadRequest && body.Contains("MANIFEST_BLOB_UNKNOWN", StringComparison.Ordinal))
        {
            var oldest = DateTime.UtcNow - touched.Values.Min();
            if (oldest < _mustSurvive)
            {
                Violations.Enqueue($"{repository}:{reference}: MANIFEST_BLOB_UNKNOWN though every blob was touched within {oldest.TotalMilliseconds:F0} ms: {body}");
            }

            Count("blob-unknown-after-grace");
            return false;
        }

        Count($"manifest-{(int)put.StatusCode}");
        throw new StressStepFailed();
    }

    private sealed class StressStepFailed : Exception;
}
