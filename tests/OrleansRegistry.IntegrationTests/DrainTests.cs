using System.Net;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests;

/// <summary>SIGTERM drains: readiness false at once, requests in flight finish, the process exits 0.</summary>
public sealed class DrainTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Sigterm_while_a_slow_upload_streams_lets_it_finish_and_exits_0()
    {
        using var data = new TempDirectory();
        await using var server = await RegistryProcess.StartReadyAsync(data.Path, log, "--Registry:Drain:Delay=00:00:01");
        using var client = server.CreateClient();
        var repo = Oci.UniqueRepository("drain");
        var location = await client.StartUploadAsync(repo);
        var payload = Oci.RandomBytes(2 * 1024 * 1024);

        // ~2.5 s of streaming: well past the SIGTERM below.
        var body = new ThrottledStream(payload, bytesPerTick: 64 * 1024, tick: TimeSpan.FromMilliseconds(80));
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamContent(body) };
        var patch = client.SendAsync(request);
        await body.Started;

        var stop = server.StopAsync(TimeSpan.FromSeconds(60));
        using (var probe = new HttpClient { BaseAddress = server.BaseAddress })
        {
            HttpStatusCode readiness = HttpStatusCode.OK;
            for (var i = 0; i < 50 && readiness == HttpStatusCode.OK; i++)
            {
                readiness = (await probe.GetAsync("/readyz")).StatusCode;
                await Task.Delay(20);
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);
        }

        using var response = await patch;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"0-{payload.Length - 1}", response.Headers.GetValues("Range").Single());
        Assert.Equal(0, await stop);
    }

    [Fact]
    public async Task Readiness_is_true_once_the_silo_is_active_and_health_always()
    {
        using var data = new TempDirectory();
        await using var server = await RegistryProcess.StartReadyAsync(data.Path, log);
        using var client = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }
}
