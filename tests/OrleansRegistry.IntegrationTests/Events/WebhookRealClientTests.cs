using OrleansRegistry.IntegrationTests.Infrastructure;
using OrleansRegistry.Tests.Shared;

namespace OrleansRegistry.IntegrationTests.Events;

/// <summary>
/// Real clients push, a real receiver gets the webhooks: one signed push event per manifest, whose
/// digest is what the client pushed (skopeo: an image and a multi-platform index, so three manifests;
/// docker through a private dockerd: one image).
/// </summary>
public sealed class WebhookRealClientTests(ITestOutputHelper log)
{
    private const string Fixtures = "/tmp/oci-e2e/fixtures";
    private const string TinyDigest = "sha256:03be5383cee38932458d5ea3d4312b6721a317a1dc118def8f61734cdd2ffdc5";
    private const string IndexDigest = "sha256:c3490ff7d3b913e4b0148c49172a70edd7a5232cf41ebc29ab60b7a700903281";
    private const string IndexAmd64 = "sha256:177d4e35d8877ffc8cde42f0900c9e499666a3924976b17766ea181d2d0658a9";
    private const string IndexArm64 = "sha256:002f8683ffa7045425be72f905980e8ac8ab3c866710849728f8c6fb259a7970";
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Fact]
    public async Task Skopeo_and_docker_pushes_are_one_signed_verifiable_event_per_manifest()
    {
        Assert.True(Directory.Exists($"{Fixtures}/oci-index"), $"missing {Fixtures}: run ../shared/e2e/setup.sh");
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        using var work = new TempDirectory();
        await using var server = await RegistryProcess.StartReadyAsync(Path.Combine(work.Path, "data"), log,
            "--Registry:Notifications:Webhooks:0:Name=clients", $"--Registry:Notifications:Webhooks:0:Url={receiver.Url}",
            "--Registry:Notifications:Webhooks:0:Events:0=push", $"--Registry:Notifications:Webhooks:0:Secret={Secret}",
            "--Registry:Outbound:AllowedNetworks:0=127.0.0.0/8");
        var host = $"127.0.0.1:{server.HttpPort}";
        var none = new Dictionary<string, string>();

        foreach (var (layout, repository) in new[] { ("oci-tiny", "skopeo/tiny"), ("oci-index", "skopeo/multi") })
        {
            var copy = await ExternalTool.RunAsync(log, "skopeo", none, "copy", "-q", "--all", "--dest-tls-verify=false",
                $"oci:{Fixtures}/{layout}:latest", $"docker://{host}/{repository}:v1");
            Assert.True(copy.ExitCode == 0, copy.Output);
        }

        await using (var docker = await PrivateDockerd.StartAsync(Path.Combine(work.Path, "dkd"), log))
        {
            var archive = Path.Combine(work.Path, "tiny.tar");
            var toArchive = await ExternalTool.RunAsync(log, "skopeo", none, "copy", "-q", $"oci:{Fixtures}/oci-tiny:latest",
                $"docker-archive:{archive}:{host}/docker/tiny:v1");
            Assert.True(toArchive.ExitCode == 0, toArchive.Output);
            Assert.Equal(0, (await docker.RunAsync("load", "-q", "-i", archive)).ExitCode);
            var push = await docker.RunAsync("push", $"{host}/docker/tiny:v1");
            Assert.True(push.ExitCode == 0, push.Output);
        }

        var pushes = (await receiver.WaitForAsync(r => r.Delivered.Count(IsPush) >= 5, TimeSpan.FromSeconds(30))).Where(IsPush).ToList();
        var byRepository = pushes.Select(p => p.Json.GetProperty("data")).GroupBy(d => d.GetProperty("repository").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(d => d.GetProperty("digest").GetString()).ToList());
        Assert.Equal([TinyDigest], byRepository["skopeo/tiny"]);
        Assert.Equal(new[] { IndexAmd64, IndexArm64, IndexDigest }.Order(StringComparer.Ordinal), byRepository["skopeo/multi"].Order(StringComparer.Ordinal));
        Assert.Equal(IndexDigest, byRepository["skopeo/multi"][^1]);
        Assert.Single(byRepository["docker/tiny"]);
        Assert.Equal(5, pushes.Count);
        Assert.Equal(5, pushes.Select(p => p.Header("webhook-id")).Distinct().Count());
        foreach (var hook in pushes)
        {
            new StandardWebhooks.StandardWebhook(Secret).Verify(hook.Body, new Microsoft.AspNetCore.Http.HeaderDictionary(hook.Headers));
        }
    }

    private static bool IsPush(ReceivedWebhook hook) => hook.Json.GetProperty("type").GetString() == "io.orleansregistry.artifact.pushed";
}
