using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>
/// Pokes the runner of every retention rule from every silo every 30 s: a rule runs when its schedule is
/// due, and its runner comes back on another silo when its own died.
/// </summary>
public sealed class RetentionPump(IGrainFactory grains, RetentionPolicy rules, TimeProvider clock, ILogger<RetentionPump> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first poke waits a period: the silo joins the cluster first.
        using var timer = new PeriodicTimer(Period, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await Task.WhenAll(rules.Snapshot.Rules.Select(rule => PokeAsync(rule.Pattern)));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PokeAsync(string pattern)
    {
        try
        {
            await grains.GetGrain<IRetentionRunnerGrain>(pattern).Poke();
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogDebug(error, "retention: the runner of {Pattern} could not be reached; trying again in {Period}", pattern, Period);
        }
    }
}
