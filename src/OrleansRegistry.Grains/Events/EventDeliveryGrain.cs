using OrleansRegistry.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Grains.Events;

/// <summary>
/// Delivers one partition of the log to one consumer, one event at a time and in order, from the
/// persisted checkpoint (at least once: a crash after a delivery and before its checkpoint sends it
/// again). The checkpoint is stored at most once per <see cref="EventLogOptions.CheckpointInterval"/>
/// (and before a retry wait or deactivation), not after every event: a crash repeats at most that
/// much, and a steady push load does not cost one more storage write per event and consumer.
/// A consumer that asks to retry holds its partition until it takes the event; other
/// consumers are never held. Waits on the log for new entries rather than polling.
/// </summary>
public sealed class EventDeliveryGrain(
    [PersistentState("event-delivery", GrainStorageNames.Registry)] IPersistentState<EventDeliveryState> state,
    IEnumerable<IEventSubscriber> subscribers, IOptions<EventLogOptions> options, EventMetrics metrics, TimeProvider clock,
    ILogger<EventDeliveryGrain> logger) : Grain, IEventDeliveryGrain
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

    // Delivered up to here; stored in the state when the interval is up.
    private long _checkpoint;
    private long _delivered;
    private DateTimeOffset _savedAt;

    private TimeSpan CheckpointInterval => options.Value.CheckpointInterval;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (consumer, partition) = EventDeliveryKey.Parse(this.GetPrimaryKeyString());
        _consumer = consumer;
        _log = GrainFactory.GetGrain<IEventLogGrain>(partition);
        _checkpoint = state.State.Checkpoint;
        _delivered = state.State.Delivered;
        _savedAt = clock.GetUtcNow();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Stopped(this.GetPrimaryKeyString());
        try
        {
            await SaveAsync();
        }
        catch (Exception error)
        {
            // Delivered again by the next activation.
            logger.LogWarning(error, "the checkpoint of {Consumer} was not stored", this.GetPrimaryKeyString());
        }
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
        Checkpoint = _checkpoint,
        Delivered = _delivered,
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
                var page = await _log.Read(_checkpoint, BatchSize);
                _lastSeen = page.Last;
                if (page.Entries.Length == 0)
                {
                    Report(null);
                    if (page.First > _checkpoint + 1)
                    {
                        // Retention dropped what this consumer never got: go on from what is kept.
                        _checkpoint = page.First - 1;
                    }

                    await _log.WaitBeyond(_checkpoint, await SaveWhenDueAsync());
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
        foreach (var entry in entries)
        {
            var result = await subscriber.DeliverAsync(_consumer, entry.Event, CancellationToken.None);
            if (!result.Done)
            {
                _lastError = $"consumer asked to retry event {entry.Event.Id}";
                await SaveAsync();
                Report(entry.Event.Time);
                await Task.Delay(result.RetryAfter > TimeSpan.Zero ? result.RetryAfter : TimeSpan.FromSeconds(1));
                return;
            }

            _checkpoint = entry.Position;
            _delivered++;
            metrics.Delivered(_consumer);
        }

        _lastError = null;
        await SaveWhenDueAsync();
    }

    /// <summary>Stores the checkpoint if the interval is up; answers how long to wait for new events meanwhile.</summary>
    private async Task<TimeSpan> SaveWhenDueAsync()
    {
        if (_checkpoint == state.State.Checkpoint)
        {
            return WaitTimeout;
        }

        var due = _savedAt + CheckpointInterval - clock.GetUtcNow();
        if (due > TimeSpan.Zero)
        {
            return due < WaitTimeout ? due : WaitTimeout;
        }

        await SaveAsync();
        return WaitTimeout;
    }

    private async Task SaveAsync()
    {
        if (_checkpoint == state.State.Checkpoint)
        {
            return;
        }

        state.State.Checkpoint = _checkpoint;
        state.State.Delivered = _delivered;
        await state.WriteStateAsync();
        _savedAt = clock.GetUtcNow();
    }

    private void Report(DateTimeOffset? oldestPending)
    {
        _oldestPending = oldestPending;
        metrics.Pending(this.GetPrimaryKeyString(), _consumer, oldestPending);
    }

    private IEventSubscriber? Subscriber() => subscribers.FirstOrDefault(s => s.Consumers.Contains(_consumer));
}
