using Microsoft.Extensions.Options;

namespace OrleansRegistry.Server.Health;

/// <summary>
/// Graceful drain: when the host begins to stop (SIGTERM), readiness turns false at once, new
/// requests are refused after <see cref="DrainOptions.Delay"/>, and the stop waits (at most
/// <see cref="DrainOptions.Timeout"/>) for the requests in flight before the silo leaves the
/// cluster. Runs in <c>ApplicationStopping</c>, i.e. before any hosted service (Kestrel, the
/// Orleans silo) stops, so in-flight requests can still reach their grains.
/// </summary>
public sealed class DrainCoordinator(IOptions<DrainOptions> options, ILogger<DrainCoordinator> logger)
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile bool _draining;
    private volatile bool _refusing;

    /// <summary>True from the moment a stop was requested.</summary>
    public bool IsDraining => _draining;

    /// <summary>True once new requests are refused.</summary>
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
        var drain = options.Value;
        logger.LogInformation("draining: readiness is false; refusing new requests in {Delay}", drain.Delay);
        if (drain.Delay > TimeSpan.Zero)
        {
            Thread.Sleep(drain.Delay);
        }

        _refusing = true;
        if (InFlight > 0 && !_idle.Task.Wait(drain.Timeout))
        {
            logger.LogWarning("drain timed out with {Count} requests in flight", InFlight);
            return;
        }

        logger.LogInformation("drained: no request in flight");
    }
}
