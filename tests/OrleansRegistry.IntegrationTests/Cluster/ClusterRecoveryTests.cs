using System.Net;
using System.Text;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests.Cluster;

/// <summary>Silos are disposable: acknowledged pushes outlive all of them, and the edge follows membership.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRecoveryTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Killing_every_silo_after_a_push_loses_nothing()
    {
        await using var cluster = await LocalCluster.StartAsync(2, 17700, log);
        using var edge = cluster.Edge();
        var image = await PushImageAsync(edge);
        cluster.Kill(1);
        cluster.Kill(2);

        var third = await cluster.AddSiloAsync();
        var fourth = await cluster.AddSiloAsync();
        await cluster.WaitRoutedAsync(Failover.Timeout, third, fourth);
        await AssertPullsAsync(edge, image);
    }

    [Fact]
    public async Task An_added_silo_alone_serves_everything_once_the_original_silos_are_killed()
    {
        await using var cluster = await LocalCluster.StartAsync(2, 17800, log);
        using var edge = cluster.Edge();
        var image = await PushImageAsync(edge);

        var added = await cluster.AddSiloAsync();
        await cluster.WaitRoutedAsync(Failover.Timeout, 1, 2, added);
        cluster.Kill(1);
        cluster.Kill(2);
        var started = DateTime.UtcNow;
        await cluster.WaitRoutedAsync(Failover.Timeout, added);
        log.WriteLine($"edge dropped the killed silos after {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        await AssertPullsAsync(edge, image);
        log.WriteLine($"served through the added silo alone {(DateTime.UtcNow - started).TotalSeconds:F1} s after kill -9");
    }

    [Fact]
    public async Task Pulls_sent_as_a_silo_dies_are_answered_without_the_client_retrying()
    {
        await using var cluster = await LocalCluster.StartAsync(3, 17650, log);
        using var edge = cluster.Edge();
        using var doomed = cluster.Silo(2);
        var images = new List<Image>();
        for (var i = 0; i < 12; i++)
        {
            // Pushed straight to silo 2, which places most of their grains there (placement prefers
            // the calling silo): the pulls below need grains that were on the silo killed.
            images.Add(await PushImageAsync(doomed));
        }

        cluster.Kill(2);
        var started = DateTime.UtcNow;

        // Once each, all at once, as kubelets pull: a 502 or 503 here would have failed the pull.
        var pulls = await Task.WhenAll(images.Select(async image =>
        {
            using var response = await edge.GetAsync($"/v2/{image.Repository}/manifests/v1");
            return (response.StatusCode, Body: await response.Content.ReadAsByteArrayAsync(), image.Manifest);
        }));
        log.WriteLine($"12 pulls answered {(DateTime.UtcNow - started).TotalSeconds:F1} s after kill -9: {string.Join(", ", pulls.Select(p => (int)p.StatusCode))}");
        foreach (var pull in pulls)
        {
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
            Assert.Equal(pull.Manifest, pull.Body);
        }
    }

    private static async Task<Image> PushImageAsync(HttpClient client)
    {
        var repo = Oci.UniqueRepository("recovery");
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"id\":\"{Guid.NewGuid()}\"}}");
        var layer = Oci.RandomBytes(1024 * 1024 + 7);
        foreach (var blob in new[] { config, layer })
        {
            using var push = await client.PostBlobAsync(repo, blob);
            Assert.Equal(HttpStatusCode.Created, push.StatusCode);
        }

        var manifest = Oci.Manifest((Oci.Sha256(config), config.Length, "application/vnd.oci.image.config.v1+json"), (Oci.Sha256(layer), layer.Length));
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new(Oci.ImageManifest);
        using var put = await client.PutAsync($"/v2/{repo}/manifests/v1", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return new Image(repo, manifest, config, layer);
    }

    private static async Task AssertPullsAsync(HttpClient client, Image image)
    {
        using var manifest = await Failover.UntilAsync(
            () => client.GetAsync($"/v2/{image.Repository}/manifests/v1"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(image.Manifest, await manifest.Content.ReadAsByteArrayAsync());
        foreach (var blob in new[] { image.Config, image.Layer })
        {
            using var response = await Failover.UntilAsync(
                () => client.GetAsync($"/v2/{image.Repository}/blobs/{Oci.Sha256(blob)}"), r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(blob, await response.Content.ReadAsByteArrayAsync());
        }
    }

    private sealed record Image(string Repository, byte[] Manifest, byte[] Config, byte[] Layer);
}
