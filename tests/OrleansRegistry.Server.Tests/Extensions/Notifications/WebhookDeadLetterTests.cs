using OrleansRegistry.Tests.Shared;
using System.Net;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Notifications;

/// <summary>Dead letters (a 3 s delivery window), redelivery, and 410.</summary>
public sealed class WebhookDeadLetterTests(ShortWindowWebhookServer fixture) : WebhookTestBase(fixture), IClassFixture<ShortWindowWebhookServer>
{
    [Fact]
    public async Task Failures_past_the_window_are_dead_letters_that_redeliver_sends_again_and_410_disables()
    {
        await using var receiver = new WebhookReceiver { Status = 500 };
        await receiver.StartAsync();
        var repo = $"team/dead-{Guid.NewGuid():N}";
        var name = "dead-" + Guid.NewGuid().ToString("N")[..8];
        await RegisterAsync(name, receiver.Url, new Dictionary<string, object?> { ["events"] = new[] { "push" } }, repo);
        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push");
        await alice.PushImageAsync(repo, "v1");

        using var root = Root();
        var status = await WaitForStatusAsync(root, name, s => s.GetProperty("deadLettered").GetInt32() >= 1, TimeSpan.FromSeconds(60));
        Assert.Equal(1, status.GetProperty("deadLettered").GetInt32());
        Assert.True(status.GetProperty("failures").GetInt64() >= 2);
        Assert.Equal(500, status.GetProperty("lastStatus").GetInt32());

        receiver.Status = 200;
        using (var redeliver = await root.PostAsync($"/api/v1/webhooks/{name}/redeliver", null))
        {
            Assert.Equal(HttpStatusCode.OK, redeliver.StatusCode);
            using var json = await redeliver.ReadJsonAsync();
            Assert.Equal(1, json.RootElement.GetProperty("redelivered").GetInt32());
        }

        Assert.Contains(receiver.Delivered, d => d.Json.GetProperty("type").GetString() == "io.orleansregistry.artifact.pushed");

        receiver.Status = 410;
        await alice.PushImageAsync(repo, "v2");
        await WaitForAsync(async () =>
        {
            using var get = await root.GetAsync($"/api/v1/webhooks/{name}");
            using var json = await get.ReadJsonAsync();
            return !json.RootElement.GetProperty("webhook").GetProperty("enabled").GetBoolean();
        });
    }
}
