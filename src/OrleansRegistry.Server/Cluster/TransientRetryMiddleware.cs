using Microsoft.Extensions.Options;
using OrleansRegistry.Hosting.Replay;
using OrleansRegistry.Server.Hosting;

namespace OrleansRegistry.Server.Cluster;

/// <summary>
/// A request without a body whose grain call met a silo that just died is run again, with a growing
/// pause, until the cluster has moved the grain (membership declares a killed silo dead within
/// seconds) or <see cref="ClusterOptions.TransientRetryWindow"/> has passed; only then is it
/// answered 503. A kubelet pulling while a silo dies waits a few seconds instead of failing its pull
/// and backing off, and the body-less final PUT of an upload is not failed, which would have made
/// docker push the whole layer again. Only requests that can run twice (<see cref="RequestReplay"/>):
/// a request with a body gets its 503 with Retry-After at once.
/// </summary>
public sealed class TransientRetryMiddleware(RequestDelegate next, IOptions<RegistryOptions> options, TimeProvider clock, ILogger<TransientRetryMiddleware> logger)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    public async Task InvokeAsync(HttpContext context)
    {
        var window = options.Value.Cluster.TransientRetryWindow;
        if (window <= TimeSpan.Zero || !RequestReplay.CanRunAgain(context))
        {
            await next(context);
            return;
        }

        // What outer middleware set (the request id): kept for each run, whatever the failed one added.
        var outerHeaders = context.Response.Headers.ToArray();
        var started = clock.GetTimestamp();
        var pause = FirstPause;
        while (true)
        {
            try
            {
                await next(context);
                return;
            }
            catch (Exception error) when (ClusterTransient.Is(error) && !context.Response.HasStarted && clock.GetElapsedTime(started) + pause < window)
            {
                logger.LogInformation("{Method} {Path} met a silo that is gone; running it again in {Pause} ms", context.Request.Method, context.Request.Path, pause.TotalMilliseconds);
            }

            context.Response.Clear();
            foreach (var (name, value) in outerHeaders)
            {
                context.Response.Headers[name] = value;
            }

            await Task.Delay(pause, clock, context.RequestAborted);
            pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
        }
    }
}
