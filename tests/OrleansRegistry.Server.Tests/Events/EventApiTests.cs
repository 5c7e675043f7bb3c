using System.Net;
using System.Text.Json;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Events;

/// <summary>A token-mode server whose pull events are flushed every 200 ms.</summary>
public sealed class EventServer : AuthServer
{
    protected override Dictionary<string, string> Settings() => new() { ["Registry:Events:PullFlushInterval"] = "00:00:00.200" };
}

/// <summary>Writes and pulls over HTTP become events with who made them; admins read them at /api/v1/events.</summary>
public sealed class EventApiTests(EventServer fixture) : IClassFixture<EventServer>
{
    private RegistryServer Server => fixture.Server;

    [Fact]
    public async Task A_push_and_a_pull_by_alice_are_events_with_her_name_address_and_request()
    {
        var repo = $"team/events-{Guid.NewGuid():N}";
        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push");
        alice.DefaultRequestHeaders.UserAgent.ParseAdd("events-test/1.0");
        var (_, digest) = await alice.PushImageAsync(repo, "v1");
        for (var i = 0; i < 3; i++)
        {
            using var pull = await alice.GetAsync($"/v2/{repo}/manifests/v1");
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        }

        var events = await EventsAsync(repo, e => e.Any(x => x.GetProperty("action").GetString() == "pull"));
        var actions = events.Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["pull", "push", "upload", "upload", "repository.create"], actions);

        var push = events.Single(e => e.GetProperty("action").GetString() == "push");
        Assert.Equal(digest, push.GetProperty("digest").GetString());
        Assert.Equal("v1", push.GetProperty("tag").GetString());
        Assert.Equal("alice", push.GetProperty("actor").GetProperty("name").GetString());
        Assert.Equal("user", push.GetProperty("actor").GetProperty("kind").GetString());
        var request = push.GetProperty("request");
        Assert.Equal("127.0.0.1", request.GetProperty("address").GetString());
        Assert.Equal("PUT", request.GetProperty("method").GetString());
        Assert.Contains("events-test/1.0", request.GetProperty("userAgent").GetString());
        Assert.False(string.IsNullOrEmpty(request.GetProperty("id").GetString()));
        Assert.False(string.IsNullOrEmpty(push.GetProperty("source").GetString()));

        var pullEvent = events.Single(e => e.GetProperty("action").GetString() == "pull");
        Assert.Equal(3, pullEvent.GetProperty("count").GetInt32());
        Assert.Equal("GET", pullEvent.GetProperty("request").GetProperty("method").GetString());
    }

    [Fact]
    public async Task Only_admins_read_the_events()
    {
        using var bob = Server.CreateClient();
        bob.DefaultRequestHeaders.Authorization = AuthClient.Basic("bob", "bob-pass");
        using var denied = await bob.GetAsync("/api/v1/events");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("DENIED", await denied.ErrorCodeAsync());

        using var anonymous = Server.CreateClient();
        using var challenged = await anonymous.GetAsync("/api/v1/events");
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);

        using var root = Root();
        using var bad = await root.GetAsync("/api/v1/events?repository=Not..Valid");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var badLimit = await root.GetAsync("/api/v1/events?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    private HttpClient Root()
    {
        var root = Server.CreateClient();
        root.DefaultRequestHeaders.Authorization = AuthClient.Basic("root", "root-pass");
        return root;
    }

    private async Task<List<JsonElement>> EventsAsync(string repository, Func<List<JsonElement>, bool> done)
    {
        using var root = Root();
        return await root.PollListAsync($"/api/v1/events?repository={Uri.EscapeDataString(repository)}", "events", done);
    }
}
