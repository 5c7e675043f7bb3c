using System.Net;
using System.Text;
using System.Text.Json;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Lifecycle;

/// <summary>Garbage collection through the real server: the admin API, what goes, what stays, and the audit log.</summary>
public sealed class GcTests(GcServer fixture) : IClassFixture<GcServer>
{
    private RegistryServer Server => fixture.Server;

    private HttpClient Root()
    {
        var client = Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = AuthClient.Basic("root", "root-pass");
        return client;
    }

    private async Task<JsonElement> RunAsync(bool dryRun)
    {
        using var root = Root();
        using var response = await root.PostAsync("/api/v1/gc", new StringContent($"{{\"dryRun\": {(dryRun ? "true" : "false")}}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The digests of a run's items of one kind (of one repository, for kinds that name one): other tests share the server.</summary>
    private static IEnumerable<string> Digests(JsonElement run, string kind, string? repository = null) =>
        run.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("kind").GetString() == kind && (repository is null || i.GetProperty("repository").GetString() == repository))
            .Select(i => i.GetProperty("digest").GetString()!);

    private string StoredPath(string digest) => Path.Combine(Server.DataPath, "storage", "blobs", "sha256", digest[7..9], digest[7..]);

    private static async Task<JsonElement> ManifestAsync(HttpClient client, string repository, string reference)
    {
        using var response = await client.GetAsync($"/v2/{repository}/manifests/{reference}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static string[] BlobsOf(JsonElement manifest) =>
        [manifest.GetProperty("config").GetProperty("digest").GetString()!, manifest.GetProperty("layers")[0].GetProperty("digest").GetString()!];

    [Fact]
    public async Task Only_admins_run_or_read_it_and_a_body_that_is_not_json_is_400()
    {
        using var anonymous = Server.CreateClient();
        using var bob = Server.CreateClient();
        bob.DefaultRequestHeaders.Authorization = AuthClient.Basic("bob", "bob-pass");
        using var root = Root();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/gc", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync("/api/v1/gc", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync("/api/v1/gc")).StatusCode);
        using var bad = await root.PostAsync("/api/v1/gc", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("UNSUPPORTED", await bad.ErrorCodeAsync());

        using var status = await root.GetAsync("/api/v1/gc");
        var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
        Assert.False(json.GetProperty("enabled").GetBoolean());
        Assert.Equal("00:00:01", json.GetProperty("grace").GetString());
    }

    [Fact]
    public async Task A_deleted_image_is_reclaimed_after_the_grace_period_a_dry_run_only_says_so_and_the_kept_image_still_pulls()
    {
        var repository = $"team/gc-{Guid.NewGuid():N}";
        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repository}:pull,push,delete");
        var (goneManifest, gone) = await alice.PushImageAsync(repository, "old");
        var (_, kept) = await alice.PushImageAsync(repository, "new");
        var goneBlobs = BlobsOf(await ManifestAsync(alice, repository, gone));
        var keptBlobs = BlobsOf(await ManifestAsync(alice, repository, kept));
        Assert.Equal(HttpStatusCode.Accepted, (await alice.DeleteAsync($"/v2/{repository}/manifests/{gone}")).StatusCode);

        // Past the settle time of the blob index, the first run takes the blobs out of the repository
        // and starts their grace; the next one, a grace period later, deletes the bytes.
        await Task.Delay(GcServer.Settle);
        var first = await RunAsync(dryRun: false);
        Assert.Equal(goneBlobs.Order(), Digests(first, "blob-link", repository).Order());
        Assert.All(goneBlobs.Append(gone), d => Assert.True(File.Exists(StoredPath(d))));
        await Task.Delay(GcServer.Grace * 2);

        var dry = await RunAsync(dryRun: true);
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        Assert.Subset(Digests(dry, "blob").ToHashSet(), goneBlobs.Append(gone).ToHashSet());
        Assert.DoesNotContain(Digests(dry, "blob"), keptBlobs.Append(kept).Contains);
        Assert.All(goneBlobs.Append(gone), d => Assert.True(File.Exists(StoredPath(d))));

        var real = await RunAsync(dryRun: false);
        Assert.Subset(Digests(real, "blob").ToHashSet(), goneBlobs.Append(gone).ToHashSet());
        Assert.True(real.GetProperty("bytesReclaimed").GetInt64() >= 4096 + goneManifest.Length);
        Assert.All(goneBlobs.Append(gone), d => Assert.False(File.Exists(StoredPath(d))));

        foreach (var digest in BlobsOf(await ManifestAsync(alice, repository, "new")))
        {
            using var blob = await alice.GetAsync($"/v2/{repository}/blobs/{digest}");
            Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
            Assert.Equal(digest, OciClient.Sha256(await blob.Content.ReadAsByteArrayAsync()));
        }

        Assert.True(File.Exists(StoredPath(kept)));
        using var root = Root();
        var entries = await root.PollListAsync($"/api/v1/audit?repository={Uri.EscapeDataString(repository)}&action=blob.collect", "entries",
            items => items.Count >= 3);
        Assert.Equal(goneBlobs.Append(gone).Order(), entries.Select(e => e.GetProperty("digest").GetString()!).Order());
        Assert.All(entries, e => Assert.StartsWith("gc:", e.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task An_untagged_manifest_goes_once_out_of_the_tags_history_where_the_namespace_says_and_is_then_unknown()
    {
        var repository = $"team/untagged-{Guid.NewGuid():N}";
        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repository}:pull,push,delete");
        var (_, first) = await alice.PushImageAsync(repository, "latest");
        var (_, second) = await alice.PushImageAsync(repository, "latest");
        var (_, third) = await alice.PushImageAsync(repository, "latest");
        var (_, deleted) = await alice.PushImageAsync(repository, "other");
        await alice.PushImageAsync(repository, "other");
        using (var delete = await alice.DeleteAsync($"/v2/{repository}/manifests/{deleted}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        await Task.Delay(GcServer.Grace * 2);

        var run = await RunAsync(dryRun: false);

        // Out of latest's history (depth 2): the first; the second, replaced within it, stays for a rollback.
        Assert.Equal([first], Digests(run, "manifest", repository));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/v2/{repository}/manifests/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/v2/{repository}/manifests/{second}")).StatusCode);
        Assert.Equal(third, (await alice.GetAsync($"/v2/{repository}/manifests/latest")).Headers.GetValues("Docker-Content-Digest").Single());
        using var history = await alice.GetAsync($"/api/v1/repositories/{repository}/tags/other/history");
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.DoesNotContain(deleted, await history.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var root = Root();
        using var status = await root.GetAsync("/api/v1/gc");
        var runs = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.GetProperty("runs");
        Assert.Contains(runs.EnumerateArray(), r => r.GetProperty("id").GetString() == run.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_manifest_put_after_its_blob_was_collected_is_refused_with_manifest_blob_unknown()
    {
        var repository = $"team/revive-{Guid.NewGuid():N}";
        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repository}:pull,push");
        var config = Encoding.UTF8.GetBytes($"{{\"n\":\"{Guid.NewGuid()}\"}}");
        var layer = OciClient.RandomBytes(1000);
        var configDigest = await alice.PushBlobAsync(repository, config);
        var layerDigest = await alice.PushBlobAsync(repository, layer);
        await Task.Delay(GcServer.Grace * 2);
        var run = await RunAsync(dryRun: false);
        Assert.Contains(layerDigest, Digests(run, "blob-link", repository));

        using var put = await alice.PutManifestAsync(repository, "v1", OciClient.ImageManifest(configDigest, config.Length, layerDigest, layer.Length), OciClient.OciManifest);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
        await alice.PushBlobAsync(repository, layer);
        await alice.PushBlobAsync(repository, config);
        using var again = await alice.PutManifestAsync(repository, "v1", OciClient.ImageManifest(configDigest, config.Length, layerDigest, layer.Length), OciClient.OciManifest);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task Bytes_a_crash_left_unregistered_are_swept_once_older_than_the_grace_period_and_audited()
    {
        // What a crash between the storage's write and the blob index's leaves: content no index names.
        var bytes = OciClient.RandomBytes(777);
        var digest = OciClient.Sha256(bytes);
        Directory.CreateDirectory(Path.GetDirectoryName(StoredPath(digest))!);
        await File.WriteAllBytesAsync(StoredPath(digest), bytes);
        File.SetLastWriteTimeUtc(StoredPath(digest), DateTime.UtcNow - GcServer.Grace * 10);

        var run = await RunAsync(dryRun: false);

        Assert.Contains(digest, Digests(run, "orphan"));
        Assert.False(File.Exists(StoredPath(digest)));
        using var root = Root();
        var entries = await root.PollListAsync("/api/v1/audit?actor=gc&action=blob.collect", "entries",
            items => items.Any(x => x.GetProperty("digest").GetString() == digest));
        var entry = entries.First(x => x.GetProperty("digest").GetString() == digest);
        Assert.StartsWith("gc: a copy that is not the registered one", entry.GetProperty("reason").GetString());
    }
}
