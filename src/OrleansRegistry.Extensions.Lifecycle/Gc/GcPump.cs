using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>
/// Pokes the garbage collector from every silo every 30 s (or every interval, when that is shorter, down
/// to 1 s): it runs when due, and comes back on another silo when its own died.
/// </summary>
public sealed class GcPump(IGrainFactory grains, IOptions<GcOptions> options, TimeProvider clock, ILogger<GcPump> logger) : BackgroundService
{
    private static readonly TimeSpan LongestPeriod = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromSeconds(1);

    private TimeSpan Period => TimeSpan.FromTicks(Math.Clamp(options.Value.Interval.Ticks, ShortestPeriod.Ticks, LongestPeriod.Ticks));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        // The first poke waits a period: the silo joins the cluster first.
        using var timer = new PeriodicTimer(Period, clock);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await grains.GetGrain<IGarbageCollectorGrain>(IGarbageCollectorGrain.Key).Poke();
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogDebug(error, "gc: the collector could not be reached; trying again in {Period}", Period);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
