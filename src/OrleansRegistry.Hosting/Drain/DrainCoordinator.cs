using Microsoft.Extensions.Logging;

namespace OrleansRegistry.Hosting.Drain;

/// <summary>
/// Graceful drain on SIGTERM, for the silo and the edge alike: when the host begins to stop,
/// readiness turns false at once, new requests are refused after <c>delay</c> (so a load balancer
/// stops sending here first), and the stop waits at most <c>timeout</c> for the requests in flight,
/// a long upload included. <see cref="Drain"/> runs in <c>ApplicationStopping</c>, before any hosted
/// service (Kestrel, the Orleans silo or client) stops, so requests in flight can still finish.
/// </summary>
public sealed class DrainCoordinator(TimeSpan delay, TimeSpan timeout, ILogger<DrainCoordinator> logger)
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
        logger.LogInformation("draining: readiness is false; refusing new requests in {Delay}", delay);
        if (delay > TimeSpan.Zero)
        {
            Thread.Sleep(delay);
        }

        _refusing = true;
        if (InFlight > 0)
        {
            logger.LogInformation("waiting for {Count} requests in flight (at most {Timeout})", InFlight, timeout);
            if (!_idle.Task.Wait(timeout))
            {
                logger.LogWarning("drain timed out with {Count} requests in flight", InFlight);
                return;
            }
        }

        logger.LogInformation("drained: no request in flight");
    }
}
