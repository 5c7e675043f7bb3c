using Microsoft.AspNetCore.Http;
using OrleansRegistry.Edge.Hosting;
using OrleansRegistry.Edge.Routing;
using OrleansRegistry.Contracts.Cluster;
using Yarp.ReverseProxy.Model;

namespace OrleansRegistry.Edge.Tests.Routing;

public sealed class HomeSiloRoutingTests
{
    private const string SiloA = "S127.0.0.1:11111:100";
    private const string SiloB = "S127.0.0.1:11112:100";

    [Fact]
    public async Task An_upload_url_naming_a_routed_silo_goes_to_that_silo_only()
    {
        var (context, proxy) = Request($"/v2/team/app/blobs/uploads/abc?home={SiloHint.Of(SiloB)}", SiloA, SiloB);

        var nextCalled = await NarrowAsync(context);

        Assert.True(nextCalled);
        var only = Assert.Single(proxy.AvailableDestinations);
        Assert.Equal(SiloB, only.DestinationId);
    }

    [Theory]
    [InlineData("/v2/team/app/blobs/uploads/abc")] // no hint
    [InlineData("/v2/team/app/blobs/uploads/abc?home=")] // empty hint
    [InlineData("/v2/team/app/blobs/uploads/abc?home=0123456789abcdef")] // a silo that left or restarted
    [InlineData("/v2/team/app/manifests/v1?home={B}")] // not an upload
    public async Task Otherwise_every_available_silo_stays_a_candidate(string url)
    {
        var (context, proxy) = Request(url.Replace("{B}", SiloHint.Of(SiloB), StringComparison.Ordinal), SiloA, SiloB);

        var nextCalled = await NarrowAsync(context);

        Assert.True(nextCalled);
        Assert.Equal([SiloA, SiloB], proxy.AvailableDestinations.Select(d => d.DestinationId));
    }

    [Fact]
    public async Task A_home_silo_that_failed_its_health_check_is_not_forced()
    {
        // The health checks already took B out of the available destinations: the hint finds nothing
        // there and the chunk goes to a healthy silo (any silo can take any chunk).
        var all = Destinations(SiloA, SiloB);
        var (context, proxy) = Request($"/v2/team/app/blobs/uploads/abc?home={SiloHint.Of(SiloB)}", all[..1]);

        await NarrowAsync(context);

        Assert.Equal(SiloA, Assert.Single(proxy.AvailableDestinations).DestinationId);
    }

    [Fact]
    public async Task Two_hints_in_one_url_are_not_trusted()
    {
        var (context, proxy) = Request($"/v2/team/app/blobs/uploads/abc?home={SiloHint.Of(SiloA)}&home={SiloHint.Of(SiloB)}", SiloA, SiloB);

        await NarrowAsync(context);

        Assert.Equal(2, proxy.AvailableDestinations.Count);
    }

    private static async Task<bool> NarrowAsync(HttpContext context)
    {
        var called = false;
        await HomeSiloRouting.NarrowToHome(context, () =>
        {
            called = true;
            return Task.CompletedTask;
        });
        return called;
    }

    private static (HttpContext Context, ReverseProxyFeature Proxy) Request(string url, params string[] silos) =>
        Request(url, Destinations(silos));

    private static (HttpContext Context, ReverseProxyFeature Proxy) Request(string url, DestinationState[] available)
    {
        var context = new DefaultHttpContext();
        var query = url.IndexOf('?', StringComparison.Ordinal);
        context.Request.Path = query < 0 ? url : url[..query];
        context.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(url[query..]);
        var proxy = new ReverseProxyFeature { AvailableDestinations = available, AllDestinations = available };
        context.Features.Set<IReverseProxyFeature>(proxy);
        return (context, proxy);
    }

    /// <summary>Destinations exactly as the edge configures them, hint metadata included.</summary>
    private static DestinationState[] Destinations(params string[] silos)
    {
        var cluster = ProxyConfiguration.Cluster(silos.ToDictionary(s => s, s => $"http://{s}/"), new EdgeOptions());
        return [.. silos.Select(s => new DestinationState(s, new DestinationModel(cluster.Destinations![s])))];
    }
}
