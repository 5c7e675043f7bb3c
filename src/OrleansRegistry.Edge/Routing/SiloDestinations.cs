using OrleansRegistry.Contracts;
using Microsoft.Extensions.Options;
using OrleansRegistry.Edge.Hosting;
using OrleansRegistry.Contracts.Cluster;
using Yarp.ReverseProxy.Configuration;

namespace OrleansRegistry.Edge.Routing;

/// <summary>
/// Keeps YARP's destinations equal to the silos that are active members of the cluster and have
/// published an HTTP URL: a silo that joins is routed to within a refresh, one that leaves or dies
/// is dropped as soon as membership says so (active health checks cover the seconds in between).
/// </summary>
public sealed class SiloDestinations(
    IClusterClient cluster,
    InMemoryConfigProvider proxyConfig,
    IOptions<EdgeOptions> options,
    ILogger<SiloDestinations> logger) : BackgroundService
{
    public const string ClusterName = "silos";

    private IReadOnlyDictionary<string, string> _current = new Dictionary<string, string>();

    /// <summary>Silo address → HTTP URL currently routed to.</summary>
    public IReadOnlyDictionary<string, string> Current => _current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        do
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Keep routing to the last known silos; health checks still drop dead ones.
                logger.LogWarning(error, "could not read the cluster's silos; keeping {Count} destinations", _current.Count);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task RefreshAsync()
    {
        var hosts = await cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var live = hosts.Keys.Select(s => s.ToParsableString()).ToHashSet(StringComparer.Ordinal);
        var directory = cluster.GetGrain<ISiloDirectoryGrain>(GrainKeys.SiloDirectory);
        var published = await directory.GetAll();
        var routed = published.Where(p => live.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (published.Count > routed.Count)
        {
            await directory.Prune([.. live]);
        }

        if (routed.Count == _current.Count && routed.All(r => _current.TryGetValue(r.Key, out var url) && url == r.Value))
        {
            return;
        }

        logger.LogInformation("routing to {Count} silos: {Urls}", routed.Count, string.Join(", ", routed.Values));
        _current = routed;
        proxyConfig.Update([ProxyConfiguration.Route()], [ProxyConfiguration.Cluster(routed, options.Value)]);
    }
}
