using OrleansRegistry.Hosting.Replay;
using Yarp.ReverseProxy.Forwarder;

namespace OrleansRegistry.Edge.Routing;

/// <summary>
/// The first step of the proxy pipeline: a request that did not get through to the silo chosen for
/// it is sent to another silo instead of being answered 502. A silo that died is still a destination
/// until membership or a health check drops it (seconds), and without this every request sent there
/// meanwhile, a kubelet's manifest GET as much as a chunk, failed. Sent again: any request whose
/// connection could not be opened (nothing was sent), and one that failed before its response began
/// if it can run twice (<see cref="RequestReplay"/>: no body, not a DELETE). A request whose body may
/// have been partly sent, or whose response started, is never repeated.
/// </summary>
public static class RetryOnOtherSilo
{
    public static async Task Forward(HttpContext context, Func<Task> next, int maxRetries)
    {
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations;
        for (var retries = 0; ; retries++)
        {
            await next();
            if (retries == maxRetries || context.Response.HasStarted || !NeverReachedSilo(context) || proxy.ProxiedDestination is not { } failed)
            {
                return;
            }

            candidates = [.. candidates.Where(d => !ReferenceEquals(d, failed))];
            if (candidates.Count == 0)
            {
                return;
            }

            // Back to the state before the attempt: the next one chooses again among the rest (an
            // upload's home silo included, when it is not the one that failed).
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            proxy.AvailableDestinations = candidates;
        }
    }

    private static bool NeverReachedSilo(HttpContext context) =>
        context.Features.Get<IForwarderErrorFeature>() is { Error: ForwarderError.Request, Exception: var error }
        && (error is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } || RequestReplay.CanRunAgain(context));
}
