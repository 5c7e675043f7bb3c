using OrleansRegistry.Contracts;
using Microsoft.Extensions.Logging;
using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Grains.Events;

/// <summary>
/// Delivers one partition of the log to one consumer, one event at a time and in order, from the
/// persisted checkpoint (at least once: a crash after a delivery and before its checkpoint sends it
/// again). A consumer that asks to retry holds its partition until it takes the event; other
/// consumers are never held. Waits on the log for new entries rather than polling.
/// </summary>
public sealed class EventDeliveryGrain(
    [PersistentState("event-delivery", GrainStorageNames.Registry)] IPersistentState<EventDeliveryState> state,
    IEnumerable<IEventSubscriber> subscribers, EventMetrics metrics, ILogger<EventDeliveryGrain> logger) : Grain, IEventDeliveryGrain
{
    private const int BatchSize = 64;
    // Short: a silo that stops waits for long-polls in flight before its grains deactivate.
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(2);

    private Task? _running;
    private string? _lastError;
    private long _lastSeen;
    private DateTimeOffset? _oldestPending;
    private string _consumer = "";
    private IEventLogGrain _log = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (consumer, partition) = EventDeliveryKey.Parse(this.GetPrimaryKeyString());
        _consumer = consumer;
        _log = GrainFactory.GetGrain<IEventLogGrain>(partition);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Stopped(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public Task Poke()
    {
        if (_running is null || _running.IsCompleted)
        {
            _running = RunAsync();
        }

        return Task.CompletedTask;
    }

    public Task<DeliveryStatus> GetStatus() => Task.FromResult(new DeliveryStatus
    {
        Checkpoint = state.State.Checkpoint,
        Delivered = state.State.Delivered,
        Last = _lastSeen,
        OldestPending = _oldestPending,
        LastError = _lastError,
    });

    private async Task RunAsync()
    {
        try
        {
            while (Subscriber() is { } subscriber)
            {
                var page = await _log.Read(state.State.Checkpoint, BatchSize);
                _lastSeen = page.Last;
                if (page.Entries.Length == 0)
                {
                    Report(null);
                    if (page.First > state.State.Checkpoint + 1)
                    {
                        // Retention dropped what this consumer never got: go on from what is kept.
                        await SaveAsync(page.First - 1, 0);
                    }

                    await _log.WaitBeyond(state.State.Checkpoint, WaitTimeout);
                    continue;
                }

                Report(page.Entries[0].Event.Time);
                await DeliverAsync(subscriber, page.Entries);
            }
        }
        catch (Exception error)
        {
            // The next poke starts again from the checkpoint.
            _lastError = error.Message;
            logger.LogWarning(error, "event delivery to {Consumer} stopped; it resumes at the next poke", this.GetPrimaryKeyString());
        }
    }

    /// <summary>Delivers in order, up to the first event the consumer asks to retry (then waits as it asked).</summary>
    private async Task DeliverAsync(IEventSubscriber subscriber, LoggedEvent[] entries)
    {
        var checkpoint = state.State.Checkpoint;
        var delivered = 0;
        foreach (var entry in entries)
        {
            var result = await subscriber.DeliverAsync(_consumer, entry.Event, CancellationToken.None);
            if (!result.Done)
            {
                _lastError = $"consumer asked to retry event {entry.Event.Id}";
                await SaveAsync(checkpoint, delivered);
                Report(entry.Event.Time);
                await Task.Delay(result.RetryAfter > TimeSpan.Zero ? result.RetryAfter : TimeSpan.FromSeconds(1));
                return;
            }

            checkpoint = entry.Position;
            delivered++;
            metrics.Delivered(_consumer);
        }

        _lastError = null;
        await SaveAsync(checkpoint, delivered);
    }

    private async Task SaveAsync(long checkpoint, int delivered)
    {
        if (checkpoint == state.State.Checkpoint)
        {
            return;
        }

        state.State.Checkpoint = checkpoint;
        state.State.Delivered += delivered;
        await state.WriteStateAsync();
    }

    private void Report(DateTimeOffset? oldestPending)
    {
        _oldestPending = oldestPending;
        metrics.Pending(this.GetPrimaryKeyString(), _consumer, oldestPending);
    }

    private IEventSubscriber? Subscriber() => subscribers.FirstOrDefault(s => s.Consumers.Contains(_consumer));
}
