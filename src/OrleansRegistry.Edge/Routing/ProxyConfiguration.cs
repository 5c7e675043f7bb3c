using OrleansRegistry.Edge.Hosting;
using OrleansRegistry.Contracts.Cluster;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace OrleansRegistry.Edge.Routing;

/// <summary>The one route (everything), the cluster of silos, and the proxy pipeline, as YARP configuration.</summary>
public static class ProxyConfiguration
{
    /// <summary>
    /// YARP's default pipeline, with a request that never reached its silo sent to another one, and
    /// the upload's home silo chosen first when its URL names one.
    /// </summary>
    public static void Pipeline(IReverseProxyApplicationBuilder proxy, EdgeOptions options)
    {
        if (options.RetryOnOtherSilos > 0)
        {
            proxy.Use((context, next) => RetryOnOtherSilo.Forward(context, next, options.RetryOnOtherSilos));
        }

        proxy.Use(HomeSiloRouting.NarrowToHome);
        proxy.UseSessionAffinity();
        proxy.UseLoadBalancing();
        proxy.UsePassiveHealthChecks();
    }

    public static RouteConfig Route() => new()
    {
        RouteId = "registry",
        ClusterId = SiloDestinations.ClusterName,
        Match = new RouteMatch { Path = "{**catch-all}" },

        // Blob uploads of any size stream through: no body limit, no buffering.
        MaxRequestBodySize = -1,
    };

    public static ClusterConfig Cluster(IReadOnlyDictionary<string, string> silos, EdgeOptions options) => new()
    {
        ClusterId = SiloDestinations.ClusterName,
        LoadBalancingPolicy = "PowerOfTwoChoices",
        // Each destination carries its silo's hint, hashed once here rather than on every upload request.
        Destinations = silos.ToDictionary(s => s.Key, s => new DestinationConfig
        {
            Address = s.Value,
            Health = s.Value,
            Metadata = new Dictionary<string, string> { [SiloHint.QueryParameter] = SiloHint.Of(s.Key) },
        }),
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = options.HealthCheckInterval,
                Timeout = TimeSpan.FromSeconds(2),
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = "/readyz",
            },
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                ReactivationPeriod = TimeSpan.FromSeconds(5),
            },
            AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyOrPanic,
        },
        HttpRequest = new ForwarderRequestConfig
        {
            ActivityTimeout = options.ActivityTimeout,
            AllowResponseBuffering = false,
        },
    };
}
