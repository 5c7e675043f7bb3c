using OrleansRegistry.Tests.Shared;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Notifications;

/// <summary>Webhooks through the real server and a real receiver on loopback.</summary>
public sealed class WebhookTests(WebhookServer fixture) : WebhookTestBase(fixture), IClassFixture<WebhookServer>
{
    [Fact]
    public async Task A_push_is_one_signed_cloudevent_per_manifest_that_standard_webhooks_verifies()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var repo = $"team/hook-{Guid.NewGuid():N}";
        await RegisterAsync("signed-" + Guid.NewGuid().ToString("N")[..8], receiver.Url, new Dictionary<string, object?> { ["events"] = new[] { "push" } }, repo);

        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push");
        var (_, digest) = await alice.PushImageAsync(repo, "v1");

        var pushed = (await receiver.WaitForAsync(r => r.Delivered.Any(d => d.Json.GetProperty("type").GetString() == "io.orleansregistry.artifact.pushed")))
            .Where(d => d.Json.GetProperty("type").GetString() == "io.orleansregistry.artifact.pushed").ToList();
        var hook = Assert.Single(pushed);
        Assert.StartsWith("application/cloudevents+json", hook.ContentType);
        var json = hook.Json;
        Assert.Equal("1.0", json.GetProperty("specversion").GetString());
        Assert.Equal($"{repo}@{digest}", json.GetProperty("subject").GetString());
        var data = json.GetProperty("data");
        Assert.Equal(repo, data.GetProperty("repository").GetString());
        Assert.Equal(digest, data.GetProperty("digest").GetString());
        Assert.Equal("v1", data.GetProperty("tag").GetString());
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", data.GetProperty("mediaType").GetString());
        Assert.True(data.GetProperty("size").GetInt64() > 0);
        Assert.Equal("alice", data.GetProperty("actor").GetProperty("name").GetString());

        // The id header is the event id; the signature verifies with the reference implementation.
        Assert.Equal(json.GetProperty("id").GetString(), hook.Header("webhook-id"));
        var headers = new HeaderDictionary(hook.Headers);
        new StandardWebhook(WebhookServer.Secret).Verify(hook.Body, headers);
        Assert.ThrowsAny<Exception>(() => new StandardWebhook("whsec_" + Convert.ToBase64String(new byte[24])).Verify(hook.Body, headers));
    }

    [Fact]
    public async Task A_receiver_down_for_60_seconds_gets_everything_pushed_meanwhile_in_order_per_repository()
    {
        await using var receiver = new WebhookReceiver();
        var prefix = $"down{Guid.NewGuid():N}"[..16];
        await RegisterAsync("down-" + prefix, receiver.Url, new Dictionary<string, object?> { ["events"] = new[] { "push" } }, prefix + "/*");
        using var root = await Server.AsAsync("root", "root-pass", $"repository:{prefix}/a:pull,push", $"repository:{prefix}/b:pull,push", $"repository:{prefix}/c:pull,push");
        var pushedAt = DateTime.UtcNow;
        foreach (var repository in new[] { "a", "b", "c" })
        {
            for (var i = 0; i < 4; i++)
            {
                await root.PushImageAsync($"{prefix}/{repository}", $"v{i}");
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(60) - (DateTime.UtcNow - pushedAt));
        await receiver.StartAsync();
        var delivered = await receiver.WaitForAsync(r => r.Delivered.Count(Pushed) >= 12, TimeSpan.FromSeconds(60));

        var pushes = delivered.Where(Pushed).Select(d => d.Json.GetProperty("data")).ToList();
        Assert.Equal(12, pushes.Count);
        foreach (var group in pushes.GroupBy(p => p.GetProperty("repository").GetString()))
        {
            var sequences = group.Select(p => p.GetProperty("sequence").GetInt64()).ToList();
            Assert.Equal(sequences.Order(), sequences);
            Assert.Equal(["v0", "v1", "v2", "v3"], group.Select(p => p.GetProperty("tag").GetString()));
        }
    }

    [Fact]
    public async Task A_thousand_pushes_over_twenty_repositories_arrive_once_each_in_order_per_repository()
    {
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var prefix = $"many{Guid.NewGuid():N}"[..16];
        await RegisterAsync("many-" + prefix, receiver.Url, new Dictionary<string, object?> { ["events"] = new[] { "push" } }, prefix + "/*");
        var repositories = Enumerable.Range(0, 20).Select(i => $"{prefix}/r{i}").ToArray();
        using var root = await Server.AsAsync("root", "root-pass", [.. repositories.Select(r => $"repository:{r}:pull,push")]);
        await Task.WhenAll(repositories.Select(async repository =>
        {
            var config = await root.PushBlobAsync(repository, "{}"u8.ToArray());
            var layer = await root.PushBlobAsync(repository, OciClient.RandomBytes(16));
            for (var i = 0; i < 50; i++)
            {
                var manifest = OciClient.ImageManifest(config, 2, layer, 16, artifactType: $"application/vnd.example.{i}");
                using var put = await root.PutManifestAsync(repository, $"t{i:D2}", manifest, OciClient.OciManifest);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
        }));

        var delivered = await receiver.WaitForAsync(r => r.Delivered.Count(Pushed) >= 1000, TimeSpan.FromSeconds(120));
        var pushes = delivered.Where(Pushed).ToList();
        Assert.Equal(1000, pushes.Count);
        Assert.Equal(1000, pushes.Select(p => p.Header("webhook-id")).Distinct().Count());
        foreach (var group in pushes.Select(p => p.Json.GetProperty("data")).GroupBy(p => p.GetProperty("repository").GetString()))
        {
            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"t{i:D2}"), group.Select(p => p.GetProperty("tag").GetString()));
        }
    }

    [Fact]
    public async Task Loopback_and_metadata_addresses_are_refused_unless_allowed_and_bad_declarations_are_400()
    {
        using var root = Root();
        foreach (var (url, status) in new[]
        {
            ("http://169.254.169.254/latest/meta-data", HttpStatusCode.BadRequest),
            ("http://[::1]:8080/hook", HttpStatusCode.BadRequest),
            ("http://0.0.0.0/hook", HttpStatusCode.BadRequest),
            ("ftp://example.invalid/hook", HttpStatusCode.BadRequest),
            ("not a url", HttpStatusCode.BadRequest),
        })
        {
            using var put = await root.PutAsJsonAsync("/api/v1/webhooks/refused", new { url });
            Assert.Equal(status, put.StatusCode);
        }

        using var badEvent = await root.PutAsJsonAsync("/api/v1/webhooks/bad", new { url = "http://127.0.0.1:9/hook", events = new[] { "explode" } });
        Assert.Equal(HttpStatusCode.BadRequest, badEvent.StatusCode);
        using var badFormat = await root.PutAsJsonAsync("/api/v1/webhooks/bad", new { url = "http://127.0.0.1:9/hook", format = "xml" });
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        using var badName = await root.PutAsJsonAsync("/api/v1/webhooks/..", new { url = "http://127.0.0.1:9/hook" });
        Assert.NotEqual(HttpStatusCode.Created, badName.StatusCode);

        using var bob = Server.CreateClient();
        bob.DefaultRequestHeaders.Authorization = AuthClient.Basic("bob", "bob-pass");
        using var denied = await bob.GetAsync("/api/v1/webhooks");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    [Fact]
    public async Task The_configuration_files_webhook_gets_distribution_envelopes_and_secrets_are_never_listed()
    {
        var repo = $"declared/app-{Guid.NewGuid():N}";
        using var root = await Server.AsAsync("root", "root-pass", $"repository:{repo}:pull,push");
        var (_, digest) = await root.PushImageAsync(repo, "v1");
        var delivered = await Fixture.Declared.WaitForAsync(r => r.Delivered.Any(d => d.Body.Contains(digest)));
        var envelope = delivered.First(d => d.Body.Contains(digest));
        Assert.StartsWith("application/vnd.docker.distribution.events.v2+json", envelope.ContentType);
        var e = envelope.Json.GetProperty("events")[0];
        Assert.Equal("push", e.GetProperty("action").GetString());
        Assert.Equal(repo, e.GetProperty("target").GetProperty("repository").GetString());
        Assert.Equal("v1", e.GetProperty("target").GetProperty("tag").GetString());

        using var list = await Root().GetAsync("/api/v1/webhooks");
        var text = await list.Content.ReadAsStringAsync();
        Assert.Contains("\"source\":\"configuration\"", text);
        Assert.DoesNotContain(WebhookServer.Secret, text);
    }
}
