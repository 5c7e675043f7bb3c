using System.Net;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests.Edge;

/// <summary>The edge's part of the operator's surface: a request id that follows a request into the silo, and a graceful drain.</summary>
public sealed class EdgeOperationsTests(ITestOutputHelper log)
{
    [Fact]
    public async Task The_edge_gives_a_request_without_an_id_one_that_the_silo_logs_and_the_client_gets_back()
    {
        using var data = new TempDirectory();
        await using var silo = await RegistryProcess.StartReadyAsync(data.Path, log,
            "--Registry:Logging:Json=true", "--Logging:LogLevel:Microsoft.AspNetCore.Routing=Information");
        await using var edge = RegistryProcess.StartEdge(silo, "http", log);
        using var client = edge.CreateClient();
        await WaitRoutedAsync(client);

        // /healthz/storage is the silo's (the edge has no such endpoint): proxied, and routing logs inside the request's scope.
        using var response = await client.GetAsync("/healthz/storage");
        var id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        Assert.Matches("^[0-9a-f]{32}$", id);
        await UntilAsync(() => silo.Output.Contains($"\"RequestId\":\"{id}\"", StringComparison.Ordinal),
            $"the silo never logged request id {id}\n{silo.Output}");

        // An id the client sends is kept end to end.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz/storage");
        request.Headers.Add("X-Request-Id", "client-chosen-id-42");
        using var echoed = await client.SendAsync(request);
        Assert.Equal("client-chosen-id-42", Assert.Single(echoed.Headers.GetValues("X-Request-Id")));
        await UntilAsync(() => silo.Output.Contains("\"RequestId\":\"client-chosen-id-42\"", StringComparison.Ordinal),
            "the silo never logged the client's request id");

        // The edge's own answers carry one too.
        using var own = await client.GetAsync("/healthz");
        Assert.Single(own.Headers.GetValues("X-Request-Id"));
    }

    [Fact]
    public async Task The_silos_metrics_are_not_served_through_the_edge()
    {
        using var data = new TempDirectory();
        await using var silo = await RegistryProcess.StartReadyAsync(data.Path, log);
        await using var edge = RegistryProcess.StartEdge(silo, "http", log);
        using var client = edge.CreateClient();
        await WaitRoutedAsync(client);
        using var direct = silo.CreateClient();

        using var atSilo = await direct.GetAsync("/metrics");
        using var throughEdge = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, atSilo.StatusCode);
        Assert.Contains("http_server_request_duration_seconds", await atSilo.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, throughEdge.StatusCode);

        // Everything else is still the silo's.
        using var api = await client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        using var probe = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }

    [Fact]
    public async Task Sigterm_to_the_edge_while_a_slow_upload_streams_lets_it_finish_refuses_new_requests_and_exits_0()
    {
        using var data = new TempDirectory();
        await using var silo = await RegistryProcess.StartReadyAsync(data.Path, log);
        await using var edge = RegistryProcess.StartEdge(silo, "http", log, "--Edge:DrainDelay=00:00:01");
        using var client = edge.CreateClient();
        await WaitRoutedAsync(client);

        var repo = Oci.UniqueRepository("edge-drain");
        var location = await client.StartUploadAsync(repo);
        var path = Uri.TryCreate(location, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : location;
        var payload = Oci.RandomBytes(3 * 1024 * 1024);

        // ~3.8 s of streaming through the edge: past the SIGTERM, the drain delay and the refused request below.
        var body = new ThrottledStream(payload, bytesPerTick: 64 * 1024, tick: TimeSpan.FromMilliseconds(80));
        var patch = client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, path) { Content = new StreamContent(body) });
        await body.Started;

        var stop = edge.StopAsync(TimeSpan.FromSeconds(60));
        using (var probe = new HttpClient { BaseAddress = edge.BaseAddress })
        {
            var readiness = HttpStatusCode.OK;
            for (var i = 0; i < 50 && readiness == HttpStatusCode.OK; i++)
            {
                readiness = (await probe.GetAsync("/readyz")).StatusCode;
                await Task.Delay(20);
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);

            // After the drain delay, a new request is refused (the upload is still streaming).
            await Task.Delay(TimeSpan.FromMilliseconds(1500));
            Assert.False(patch.IsCompleted, "the upload finished too early for this test");
            using var refused = await probe.GetAsync("/v2/");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        using var response = await patch;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"0-{payload.Length - 1}", response.Headers.GetValues("Range").Single());
        Assert.Equal(0, await stop);
        await UntilAsync(() => edge.Output.Contains("drained: no request in flight", StringComparison.Ordinal),
            $"the edge did not log the end of its drain\n{edge.Output}");

        // The silo kept every byte.
        using var direct = silo.CreateClient();
        using var status = await direct.GetAsync(path);
        Assert.Equal($"0-{payload.Length - 1}", status.Headers.GetValues("Range").Single());
    }

    private static async Task WaitRoutedAsync(HttpClient client)
    {
        using var ready = await Failover.UntilAsync(() => client.GetAsync("/v2/"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static async Task UntilAsync(Func<bool> condition, string failure)
    {
        for (var i = 0; i < 100; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail(failure);
    }
}
