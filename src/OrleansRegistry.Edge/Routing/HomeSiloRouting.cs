using OrleansRegistry.Contracts.Cluster;
using Yarp.ReverseProxy.Model;

namespace OrleansRegistry.Edge.Routing;

/// <summary>
/// A step of the proxy pipeline, before load balancing: a request to an upload whose URL names its
/// home silo (<c>?home=</c>, see <see cref="SiloHint"/>) goes to that silo when it is among the
/// healthy destinations, so the session's grain calls stay local. Otherwise (no hint, a silo that
/// left or restarted) the request is balanced as usual: any silo can take any chunk.
/// </summary>
public static class HomeSiloRouting
{
    private const string UploadsSegment = "/blobs/uploads/";

    public static Task NarrowToHome(HttpContext context, Func<Task> next)
    {
        if (context.Request.Path.Value?.Contains(UploadsSegment, StringComparison.Ordinal) == true
            && context.Request.Query[SiloHint.QueryParameter] is [{ Length: > 0 } hint])
        {
            var proxy = context.GetReverseProxyFeature();
            if (Find(proxy.AvailableDestinations, hint) is { } home)
            {
                proxy.AvailableDestinations = [home];
            }
        }

        return next();
    }

    private static DestinationState? Find(IReadOnlyList<DestinationState> destinations, string hint)
    {
        // Each destination's hint is in its metadata (ProxyConfiguration); a cluster has a handful.
        foreach (var destination in destinations)
        {
            if (destination.Model.Config.Metadata?.GetValueOrDefault(SiloHint.QueryParameter) == hint)
            {
                return destination;
            }
        }

        return null;
    }
}
