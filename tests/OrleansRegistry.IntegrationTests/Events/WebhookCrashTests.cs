using System.Net;
using OrleansRegistry.IntegrationTests.Cluster;
using OrleansRegistry.IntegrationTests.Infrastructure;
using OrleansRegistry.Tests.Shared;

namespace OrleansRegistry.IntegrationTests.Events;

/// <summary>
/// An acknowledged push's event survives kill -9 of the process that took it: the receiver refuses
/// (503) until the process is killed, then the event arrives, with the same id, from the restarted
/// server or from another silo of the cluster.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WebhookCrashTests(ITestOutputHelper log)
{
    private static Dictionary<string, string> Webhook(string url) => new()
    {
        ["Registry__Notifications__Webhooks__0__Name"] = "crash",
        ["Registry__Notifications__Webhooks__0__Url"] = url,
        ["Registry__Notifications__Webhooks__0__Events__0"] = "push",
        ["Registry__Notifications__MaxBackoff"] = "00:00:01",
        ["Registry__Notifications__InitialBackoff"] = "00:00:00.200",
        ["Registry__Outbound__AllowedNetworks__0"] = "127.0.0.0/8",
    };

    [Fact]
    public async Task Embedded_kill_9_right_after_the_201_and_the_event_arrives_after_the_restart_with_the_same_id()
    {
        await using var receiver = new WebhookReceiver { Status = 503 };
        await receiver.StartAsync();
        using var work = new TempDirectory();
        var data = Path.Combine(work.Path, "data");
        var args = Webhook(receiver.Url).Select(kv => $"--{kv.Key.Replace("__", ":")}={kv.Value}").ToArray();
        string digest;
        await using (var server = await RegistryProcess.StartReadyAsync(data, log, args))
        {
            using var client = server.CreateClient();
            digest = await PushAsync(client, Oci.UniqueRepository("crash"));
            await receiver.WaitForAsync(r => r.Received.Any(h => h.Body.Contains(digest)), TimeSpan.FromSeconds(30));
            await server.KillAsync();
        }

        var refused = Assert.Single(receiver.Received.Where(h => h.Body.Contains(digest)).Select(h => h.Header("webhook-id")).Distinct());
        receiver.Status = 200;
        await using var restarted = await RegistryProcess.StartReadyAsync(data, log, args);
        var delivered = await receiver.WaitForAsync(r => r.Delivered.Any(h => h.Body.Contains(digest)), TimeSpan.FromSeconds(60));
        Assert.Equal(refused, Assert.Single(delivered, h => h.Body.Contains(digest)).Header("webhook-id"));
    }

    [Fact]
    public async Task Cluster_pushed_through_silo_1_silo_1_killed_before_delivery_and_the_event_still_arrives()
    {
        await using var receiver = new WebhookReceiver { Status = 503 };
        await receiver.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(3, 17850, log, environment: Webhook(receiver.Url));
        using var silo1 = cluster.Silo(1);
        var digest = await PushAsync(silo1, Oci.UniqueRepository("crash"));
        await receiver.WaitForAsync(r => r.Received.Any(h => h.Body.Contains(digest)), TimeSpan.FromSeconds(30));
        var refused = Assert.Single(receiver.Received.Where(h => h.Body.Contains(digest)).Select(h => h.Header("webhook-id")).Distinct());

        cluster.Kill(1);
        receiver.Status = 200;
        var delivered = await receiver.WaitForAsync(r => r.Delivered.Any(h => h.Body.Contains(digest)), TimeSpan.FromSeconds(90));
        Assert.Equal(refused, Assert.Single(delivered, h => h.Body.Contains(digest)).Header("webhook-id"));
    }

    /// <summary>Pushes a config and a manifest (no layers); the manifest's digest.</summary>
    private static async Task<string> PushAsync(HttpClient client, string repository)
    {
        var config = System.Text.Encoding.UTF8.GetBytes($"{{\"id\":\"{Guid.NewGuid()}\"}}");
        using (var blob = await client.PostBlobAsync(repository, config))
        {
            Assert.Equal(HttpStatusCode.Created, blob.StatusCode);
        }

        var manifest = Oci.Manifest((Oci.Sha256(config), config.Length, "application/vnd.oci.image.config.v1+json"));
        using var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(Oci.ImageManifest);
        using var put = await client.PutAsync($"/v2/{repository}/manifests/v1", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return Oci.Sha256(manifest);
    }
}
