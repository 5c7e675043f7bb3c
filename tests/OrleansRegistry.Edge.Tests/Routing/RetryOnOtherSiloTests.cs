using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrleansRegistry.Edge.Hosting;
using OrleansRegistry.Edge.Routing;

namespace OrleansRegistry.Edge.Tests.Routing;

/// <summary>
/// The edge's own proxy pipeline (YARP, real sockets on loopback) in front of a silo that cannot be
/// reached and one that answers. Destinations are taken in name order, so every request tries the
/// unreachable one first.
/// </summary>
public sealed class RetryOnOtherSiloTests : IAsyncLifetime
{
    private readonly LiveSilo _live = new();
    private readonly ResettingSilo _resetting = new();
    private readonly List<WebApplication> _edges = [];

    public Task InitializeAsync() => _live.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var edge in _edges)
        {
            await edge.DisposeAsync();
        }

        await _live.DisposeAsync();
        _resetting.Dispose();
    }

    [Fact]
    public async Task A_get_to_a_silo_that_refuses_connections_is_answered_by_another()
    {
        using var client = await EdgeAsync(new() { ["a-refused"] = RefusedUrl(), ["b-live"] = _live.Url });

        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync("/v2/team/app/manifests/v1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("live", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_chunk_whose_connection_was_refused_arrives_whole_at_another_silo()
    {
        using var client = await EdgeAsync(new() { ["a-refused"] = RefusedUrl(), ["b-live"] = _live.Url });
        var chunk = RandomNumberGenerator.GetBytes(1024 * 1024);

        using var response = await client.PatchAsync("/v2/team/app/blobs/uploads/u1", new ByteArrayContent(chunk));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(chunk)), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_get_cut_off_by_a_silo_before_its_response_is_answered_by_another()
    {
        using var client = await EdgeAsync(new() { ["a-resets"] = _resetting.Url, ["b-live"] = _live.Url });

        using var response = await client.GetAsync("/v2/team/app/blobs/sha256:abc");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(_resetting.Connections > 0);
    }

    [Fact]
    public async Task A_final_put_without_a_body_cut_off_by_a_silo_is_answered_by_another()
    {
        using var client = await EdgeAsync(new() { ["a-resets"] = _resetting.Url, ["b-live"] = _live.Url });

        using var response = await client.PutAsync("/v2/team/app/blobs/uploads/u1?digest=sha256:abc", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(_resetting.Connections > 0);
    }

    [Fact]
    public async Task A_chunk_that_may_have_been_partly_sent_is_never_sent_again()
    {
        using var client = await EdgeAsync(new() { ["a-resets"] = _resetting.Url, ["b-live"] = _live.Url });

        using var response = await client.PatchAsync("/v2/team/app/blobs/uploads/u1", new ByteArrayContent(new byte[64 * 1024]));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, _live.Patches);
    }

    [Fact]
    public async Task With_no_silo_reachable_the_request_is_a_502_after_each_was_tried()
    {
        using var client = await EdgeAsync(new() { ["a-refused"] = RefusedUrl(), ["b-refused"] = RefusedUrl() });

        using var response = await client.GetAsync("/v2/team/app/manifests/v1");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task Turned_off_an_unreachable_silo_is_a_502()
    {
        using var client = await EdgeAsync(new() { ["a-refused"] = RefusedUrl(), ["b-live"] = _live.Url }, retries: 0);

        using var response = await client.GetAsync("/v2/team/app/manifests/v1");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    private async Task<HttpClient> EdgeAsync(Dictionary<string, string> silos, int retries = 2)
    {
        var options = new EdgeOptions { RetryOnOtherSilos = retries };
        var cluster = ProxyConfiguration.Cluster(silos, options) with { LoadBalancingPolicy = "FirstAlphabetical" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddReverseProxy().LoadFromMemory([ProxyConfiguration.Route()], [cluster]);
        var edge = builder.Build();
        edge.MapReverseProxy(proxy => ProxyConfiguration.Pipeline(proxy, options));
        _edges.Add(edge);
        await edge.StartAsync();
        return new HttpClient { BaseAddress = new Uri(AddressOf(edge)) };
    }

    private static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>A loopback port that was free a moment ago: connections to it are refused.</summary>
    private static string RefusedUrl()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
    }

    /// <summary>A silo that answers: "live" to a GET, 201 to a PUT, and the SHA-256 of a PATCH's body.</summary>
    private sealed class LiveSilo : IAsyncDisposable
    {
        private WebApplication? _app;
        private int _patches;

        public string Url { get; private set; } = "";

        public int Patches => Volatile.Read(ref _patches);

        public async Task StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            _app = builder.Build();
            _app.MapGet("/{**path}", () => "live");
            _app.MapPut("/{**path}", () => Results.StatusCode(StatusCodes.Status201Created));
            _app.MapMethods("/{**path}", ["PATCH"], async (HttpRequest request) =>
            {
                Interlocked.Increment(ref _patches);
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                return Results.Text(Convert.ToHexStringLower(SHA256.HashData(body.ToArray())), statusCode: StatusCodes.Status202Accepted);
            });
            await _app.StartAsync();
            Url = AddressOf(_app) + "/";
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }
    }

    /// <summary>A silo that dies under each request: it accepts the connection and resets it.</summary>
    private sealed class ResettingSilo : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _connections;

        public ResettingSilo()
        {
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
            _ = AcceptAsync();
        }

        public string Url { get; }

        public int Connections => Volatile.Read(ref _connections);

        public void Dispose() => _listener.Stop();

        private async Task AcceptAsync()
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync();
                }
                catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _connections);

                // Wait for the request to begin, then reset: a crash after the silo took some bytes.
                await socket.ReceiveAsync(new byte[1024], SocketFlags.None);
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
        }
    }
}
