using Microsoft.Extensions.Options;

namespace OrleansRegistry.Edge.Hosting;

/// <summary>
/// Graceful drain of the edge on SIGTERM: readiness turns false at once, new requests are answered
/// 503 after <see cref="EdgeOptions.DrainDelay"/>, and the stop waits (at most
/// <see cref="EdgeOptions.DrainTimeout"/>) for the proxied requests in flight, a long upload included,
/// before Kestrel and the Orleans client stop. Runs in <c>ApplicationStopping</c>, before any hosted service stops.
/// </summary>
public sealed class EdgeDrain(IOptions<EdgeOptions> options, ILogger<EdgeDrain> logger)
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile bool _draining;
    private volatile bool _refusing;

    public bool IsDraining => _draining;

    public bool IsRefusing => _refusing;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void RequestStarted() => Interlocked.Increment(ref _inFlight);

    public void RequestFinished()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _refusing)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>Blocks the stopping host until the drain is over.</summary>
    public void Drain()
    {
        _draining = true;
        var edge = options.Value;
        logger.LogInformation("draining: readiness is false; refusing new requests in {Delay}", edge.DrainDelay);
        if (edge.DrainDelay > TimeSpan.Zero)
        {
            Thread.Sleep(edge.DrainDelay);
        }

        _refusing = true;
        if (InFlight > 0)
        {
            logger.LogInformation("waiting for {Count} requests in flight (at most {Timeout})", InFlight, edge.DrainTimeout);
            if (!_idle.Task.Wait(edge.DrainTimeout))
            {
                logger.LogWarning("drain timed out with {Count} requests in flight", InFlight);
                return;
            }
        }

        logger.LogInformation("drained: no request in flight");
    }

    public static bool IsProbe(PathString path) => path == "/healthz" || path == "/readyz";
}

/// <summary>Counts requests in flight and, once the drain refuses new work, answers 503 with <c>Connection: close</c>.</summary>
public sealed class EdgeDrainMiddleware(RequestDelegate next, EdgeDrain drain)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var probe = EdgeDrain.IsProbe(context.Request.Path);
        if (drain.IsRefusing && !probe)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.Connection = "close";
            context.Response.Headers.RetryAfter = "1";
            return;
        }

        if (probe)
        {
            await next(context);
            return;
        }

        drain.RequestStarted();
        try
        {
            await next(context);
        }
        finally
        {
            drain.RequestFinished();
        }
    }
}
