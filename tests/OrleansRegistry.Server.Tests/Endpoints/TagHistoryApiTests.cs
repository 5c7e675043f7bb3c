using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Extensions.Policies;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Endpoints;

/// <summary>
/// Tag history and rollback through the real server: <c>/api/v1/repositories/{name}/tags/{tag}/history</c> and
/// <c>.../rollback</c>, allowed by grants (alice may push to <c>team/*</c>, bob only pull, carol nothing there).
/// </summary>
public sealed class TagHistoryApiTests(PolicyServer fixture) : IClassFixture<PolicyServer>
{
    private RegistryServer Server => fixture.Server;

    [Fact]
    public async Task Each_push_is_in_the_history_newest_first_and_a_rollback_moves_the_tag_back_as_a_push()
    {
        var repo = OciClient.Unique("team");
        using var pusher = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push");
        var digests = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            digests.Add((await pusher.PushImageAsync(repo, "v1")).Digest);
        }

        using var alice = Basic("alice", "alice-pass");
        var history = await HistoryAsync(alice, repo, "v1");
        Assert.Equal(digests.AsEnumerable().Reverse(), history.Select(h => h.Digest));
        Assert.All(history, h => Assert.Equal("alice", h.Actor));
        Assert.Equal([.. history.Select(h => h.Time).OrderDescending()], history.Select(h => h.Time));

        using (var rollback = await RollbackAsync(alice, repo, "v1", digests[0]))
        {
            Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
            using var json = await rollback.ReadJsonAsync();
            Assert.Equal("v1", json.RootElement.GetProperty("tag").GetString());
            Assert.Equal(digests[0], json.RootElement.GetProperty("digest").GetString());
        }

        using (var pulled = await pusher.GetAsync($"/v2/{repo}/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
            Assert.Equal(digests[0], pulled.Header("Docker-Content-Digest"));
        }

        Assert.Equal([digests[0], digests[2], digests[1], digests[0]], (await HistoryAsync(alice, repo, "v1")).Select(h => h.Digest));
        var pushes = await PushEventsAsync(repo, count: 4);
        Assert.Equal(digests[0], pushes[0].GetProperty("digest").GetString());
        Assert.Equal("v1", pushes[0].GetProperty("tag").GetString());
        Assert.Equal("alice", pushes[0].GetProperty("actor").GetProperty("name").GetString());
    }

    [Fact]
    public async Task History_needs_pull_and_rollback_needs_push_on_the_repository()
    {
        var repo = OciClient.Unique("team");
        var (first, _) = await PushTwiceAsync(repo);
        using var bob = Basic("bob", "bob-pass");
        using var carol = Basic("carol", "carol-pass");
        using var anonymous = Server.CreateClient();
        using var wrong = Basic("alice", "wrong");

        Assert.Equal(2, (await HistoryAsync(bob, repo, "v1")).Count);
        using (var denied = await RollbackAsync(bob, repo, "v1", first))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("DENIED", await denied.ErrorCodeAsync());
        }

        using (var denied = await carol.GetAsync(HistoryPath(repo, "v1")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Equal("DENIED", await denied.ErrorCodeAsync());
        }

        foreach (var client in new[] { anonymous, wrong })
        {
            using var unauthorized = await RollbackAsync(client, repo, "v1", first);
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
            Assert.Equal("UNAUTHORIZED", await unauthorized.ErrorCodeAsync());
            Assert.StartsWith("Basic ", unauthorized.Challenge());
        }

        // A bearer token counts as basic credentials do: its subject's grants decide, as for the admin API.
        using var aliceToken = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull");
        using var allowed = await RollbackAsync(aliceToken, repo, "v1", first);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_rollback_to_a_digest_outside_the_history_is_404_and_a_malformed_one_400()
    {
        var repo = OciClient.Unique("team");
        await PushTwiceAsync(repo);
        using var alice = Basic("alice", "alice-pass");

        using (var unknown = await RollbackAsync(alice, repo, "v1", OciClient.Sha256(Encoding.UTF8.GetBytes("never pushed"))))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("MANIFEST_UNKNOWN", await unknown.ErrorCodeAsync());
        }

        foreach (var body in new[] { """{"digest":"sha256:nothex"}""", """{}""", "", "not json" })
        {
            using var bad = await alice.PostAsync(RollbackPath(repo, "v1"), new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains(await bad.ErrorCodeAsync(), new[] { "DIGEST_INVALID", "UNSUPPORTED" });
        }
    }

    [Fact]
    public async Task A_rollback_of_an_immutable_tag_is_denied_by_the_write_policy()
    {
        var prefix = $"hist{Guid.NewGuid():N}"[..16];
        var repo = $"{prefix}/app";
        using var root = Basic("root", "root-pass");
        using var pusher = await Server.AsAsync("root", "root-pass", $"repository:{repo}:pull,push");
        var first = (await pusher.PushImageAsync(repo, "v1")).Digest;
        await pusher.PushImageAsync(repo, "v1");
        using (var rule = await root.PutAsJsonAsync($"/api/v1/namespaces/{prefix}/*/immutability", new { tags = new[] { "v*" } }))
        {
            Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        }

        using var denied = await RollbackAsync(root, repo, "v1", first);

        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("DENIED", await denied.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("/api/v1/repositories/Team/App/tags/v1/history", HttpStatusCode.BadRequest, "NAME_INVALID")]
    [InlineData("/api/v1/repositories/team%2Fapp/tags/v1/history", HttpStatusCode.BadRequest, "NAME_INVALID")]
    [InlineData("/api/v1/repositories/team/app/tags/.v1/history", HttpStatusCode.BadRequest, "TAG_INVALID")]
    [InlineData("/api/v1/repositories/team/app/tags/a:b/history", HttpStatusCode.BadRequest, "TAG_INVALID")]
    [InlineData("/api/v1/repositories/team/app/history", HttpStatusCode.NotFound, "NAME_UNKNOWN")]
    [InlineData("/api/v1/repositories/team/never-pushed/tags/v1/history", HttpStatusCode.NotFound, "MANIFEST_UNKNOWN")]
    [InlineData("/api/v1/repositories/team/Bad/tags/v1/rollback", HttpStatusCode.BadRequest, "NAME_INVALID")]
    [InlineData("/api/v1/repositories/team/app/tags/-v1/rollback", HttpStatusCode.BadRequest, "TAG_INVALID")]
    [InlineData("/api/v1/repositories/team/app/rollback", HttpStatusCode.NotFound, "NAME_UNKNOWN")]
    public async Task Bad_names_and_unknown_tags_are_an_oci_error_never_a_500(string path, HttpStatusCode status, string code)
    {
        using var alice = Basic("alice", "alice-pass");
        using var response = path.EndsWith("/rollback", StringComparison.Ordinal)
            ? await alice.PostAsJsonAsync(path, new { digest = OciClient.Sha256([1]) })
            : await alice.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, await response.ErrorCodeAsync());
    }

    private sealed record Entry(string Digest, DateTimeOffset Time, string? Actor);

    private static string HistoryPath(string repo, string tag) => $"/api/v1/repositories/{repo}/tags/{tag}/history";

    private static string RollbackPath(string repo, string tag) => $"/api/v1/repositories/{repo}/tags/{tag}/rollback";

    private HttpClient Basic(string user, string password)
    {
        var client = Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = AuthClient.Basic(user, password);
        return client;
    }

    /// <summary>Pushes two images to <c>v1</c> as alice; returns their digests, oldest first.</summary>
    private async Task<(string First, string Second)> PushTwiceAsync(string repo)
    {
        using var pusher = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push");
        return ((await pusher.PushImageAsync(repo, "v1")).Digest, (await pusher.PushImageAsync(repo, "v1")).Digest);
    }

    private static async Task<List<Entry>> HistoryAsync(HttpClient client, string repo, string tag)
    {
        using var response = await client.GetAsync(HistoryPath(repo, tag));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        return [.. json.RootElement.GetProperty("history").EnumerateArray().Select(e => new Entry(
            e.GetProperty("digest").GetString()!, e.GetProperty("time").GetDateTimeOffset(), e.GetProperty("actor").GetProperty("name").GetString()))];
    }

    private static Task<HttpResponseMessage> RollbackAsync(HttpClient client, string repo, string tag, string digest) =>
        client.PostAsJsonAsync(RollbackPath(repo, tag), new { digest });

    /// <summary>The repository's push events, newest first, once there are <paramref name="count"/>.</summary>
    private async Task<List<JsonElement>> PushEventsAsync(string repo, int count)
    {
        using var root = Basic("root", "root-pass");
        return await root.PollListAsync($"/api/v1/events?repository={Uri.EscapeDataString(repo)}&action=push", "events", events => events.Count >= count);
    }
}
