using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Grains.Events;

namespace OrleansRegistry.Server.Events;

/// <summary>
/// Every few seconds, pokes the delivery of every consumer this silo knows of, for every partition. A
/// delivery runs where its grain lives; when that silo dies, the next poke from any silo starts it again
/// elsewhere, from its checkpoint. A poke of a running delivery costs one message.
/// </summary>
public sealed class EventDeliveryPump(
    IGrainFactory grains, IEnumerable<IEventSubscriber> subscribers, IOptions<EventLogOptions> options, ILogger<EventDeliveryPump> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                foreach (var consumer in subscribers.SelectMany(s => s.Consumers).Distinct(StringComparer.Ordinal))
                {
                    for (var partition = 0; partition < EventPartitions.Count; partition++)
                    {
                        await grains.GetGrain<IEventDeliveryGrain>(EventDeliveryKey.Of(consumer, partition)).Poke();
                    }
                }
            }
            catch (Exception error) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug(error, "poking event deliveries failed; trying again in {Interval}", Interval);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
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
