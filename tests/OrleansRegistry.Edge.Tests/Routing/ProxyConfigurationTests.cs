using OrleansRegistry.Edge.Hosting;
using OrleansRegistry.Edge.Routing;
using OrleansRegistry.Contracts.Cluster;
using Yarp.ReverseProxy.Health;

namespace OrleansRegistry.Edge.Tests.Routing;

public sealed class ProxyConfigurationTests
{
    [Fact]
    public void The_route_takes_every_path_to_the_silos_with_no_body_limit()
    {
        var route = ProxyConfiguration.Route();

        Assert.Equal(SiloDestinations.ClusterName, route.ClusterId);
        Assert.Equal("{**catch-all}", route.Match.Path);
        Assert.Equal(-1, route.MaxRequestBodySize);
    }

    [Fact]
    public void Each_silo_is_a_destination_at_its_published_url_carrying_its_hint()
    {
        var silos = new Dictionary<string, string>
        {
            ["S10.0.0.1:11111:1"] = "http://10.0.0.1:8080/",
            ["S10.0.0.2:11111:1"] = "https://10.0.0.2:8443/",
        };

        var cluster = ProxyConfiguration.Cluster(silos, new EdgeOptions());

        Assert.Equal(SiloDestinations.ClusterName, cluster.ClusterId);
        Assert.Equal(silos.Keys.Order(), cluster.Destinations!.Keys.Order());
        foreach (var (silo, url) in silos)
        {
            var destination = cluster.Destinations[silo];
            Assert.Equal(url, destination.Address);
            Assert.Equal(url, destination.Health);
            Assert.Equal(SiloHint.Of(silo), destination.Metadata![SiloHint.QueryParameter]);
        }
    }

    [Fact]
    public void Timeouts_and_health_checks_come_from_the_options_and_responses_stream()
    {
        var options = new EdgeOptions { ActivityTimeout = TimeSpan.FromMinutes(7), HealthCheckInterval = TimeSpan.FromSeconds(3) };

        var cluster = ProxyConfiguration.Cluster(new Dictionary<string, string>(), options);

        Assert.Equal(TimeSpan.FromMinutes(7), cluster.HttpRequest!.ActivityTimeout);
        Assert.False(cluster.HttpRequest.AllowResponseBuffering);
        var active = cluster.HealthCheck!.Active!;
        Assert.True(active.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(3), active.Interval);
        Assert.Equal("/readyz", active.Path);
        Assert.True(cluster.HealthCheck.Passive!.Enabled);

        // With every silo failing its checks, still try them rather than answer 503 for all.
        Assert.Equal(HealthCheckConstants.AvailableDestinations.HealthyOrPanic, cluster.HealthCheck.AvailableDestinationsPolicy);
    }
}
