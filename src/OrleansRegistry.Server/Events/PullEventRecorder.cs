using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Events;

namespace OrleansRegistry.Server.Events;

/// <summary>
/// Counts manifest pulls in memory and sends them to the event log every
/// <see cref="EventLogOptions.PullFlushInterval"/>, one event per (repository, digest, tag, actor) with
/// its count: a pull never waits for a write, and a silo that dies loses at most that interval's pulls.
/// </summary>
public sealed class PullEventRecorder(
    IGrainFactory grains, EventOrigins origins, IOptions<EventLogOptions> options, TimeProvider clock, ILogger<PullEventRecorder> logger)
    : BackgroundService
{
    private readonly bool _enabled = options.Value.Enabled;
    private ConcurrentDictionary<(string Repository, string Digest, string? Tag, string? Actor), PullCount> _counts = new();

    public void Record(HttpContext context, string repository, ManifestRecord record, string? tag)
    {
        if (!_enabled)
        {
            return;
        }

        var key = (repository, record.Digest, tag, Auth.RegistryAccess.Caller(context)?.Subject);
        var count = _counts.GetOrAdd(key, static (_, state) => new PullCount(state.origins.For(state.context), state.record),
            (origins, context, record));
        Interlocked.Increment(ref count.Pulls);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PullFlushInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }

        await FlushAsync();
    }

    /// <summary>Sends what was counted since the last flush; what cannot be sent now is counted again into the next.</summary>
    public async Task FlushAsync()
    {
        var counted = Interlocked.Exchange(ref _counts, new());
        if (counted.IsEmpty)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var events = counted.Select(pair => new RegistryEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            Time = now,
            Action = EventActions.Pull,
            Repository = pair.Key.Repository,
            Digest = pair.Key.Digest,
            MediaType = pair.Value.Record.MediaType,
            Size = pair.Value.Record.Size,
            Tag = pair.Key.Tag,
            Actor = pair.Value.Origin.Actor,
            Request = pair.Value.Origin.Request,
            Source = pair.Value.Origin.Source,
            Count = Volatile.Read(ref pair.Value.Pulls),
        });
        foreach (var partition in events.GroupBy(e => EventPartitions.Of(e.Repository)))
        {
            try
            {
                await grains.GetGrain<IEventLogGrain>(partition.Key).Append([.. partition]);
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "pull events of event-log partition {Partition} not sent", partition.Key);
            }
        }
    }

    private sealed class PullCount(EventOrigin origin, ManifestRecord record)
    {
        public int Pulls;

        public EventOrigin Origin { get; } = origin;

        public ManifestRecord Record { get; } = record;
    }
}
