using OrleansRegistry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Grains.Events;

/// <summary>
/// One partition of the event log. Entries are kept in segments of <see cref="SegmentSize"/>, each its
/// own grain-storage record, so an append rewrites one small record whatever the length of the log; the
/// head record changes only when a segment fills or retention drops old ones. The tail segment is the
/// truth for the last position: entries beyond what was acknowledged cannot exist, because an append
/// returns only after its segment is stored. Reads interleave with appends and see only stored entries.
/// </summary>
public sealed class EventLogGrain : Grain, IEventLogGrain
{
    // Small: an append rewrites its segment (64 events are about 16 KiB), whatever the length of the log.
    public const int SegmentSize = 64;

    private readonly IPersistentState<EventLogHead> _head;
    private readonly EventLogOptions _options;
    private readonly EventMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly Dictionary<long, (List<LoggedEvent> Entries, string? ETag, bool Exists)> _segments = [];
    private readonly List<(long After, TaskCompletionSource<long> Done)> _waiters = [];
    private readonly GroupCommit<RegistryEvent> _appends;
    private IGrainStorage _storage = null!;
    private long _last;

    public EventLogGrain(
        [PersistentState("event-log-head", GrainStorageNames.Registry)] IPersistentState<EventLogHead> head,
        IOptions<EventLogOptions> options, EventMetrics metrics, TimeProvider clock)
    {
        _head = head;
        _options = options.Value;
        _metrics = metrics;
        _clock = clock;
        _appends = new(AppendAsync);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Registry);
        var tail = await LoadAsync(_head.State.TailSegment);
        _last = tail.Entries.Count > 0 ? tail.Entries[^1].Position : Math.Max(_head.State.First - 1, _head.State.TailSegment * SegmentSize);
    }

    // Group commit: appends that arrive while a write is in flight go together in the next one.
    public Task Append(RegistryEvent[] events) => _appends.Add(events);

    private async Task AppendAsync(List<RegistryEvent> fresh)
    {
        if (fresh.Count == 0)
        {
            return;
        }

        var position = _last;
        foreach (var group in fresh.Select(e => new LoggedEvent(++position, e with { Sequence = position })).GroupBy(e => SegmentOf(e.Position)))
        {
            // Entries past the acknowledged end are those of an append that failed after its segment write.
            var current = await LoadAsync(group.Key);
            await WriteSegmentAsync(group.Key, [.. current.Entries.Where(e => e.Position <= _last), .. group], current);
            if (group.Key > _head.State.TailSegment)
            {
                var previous = _head.State.TailSegment;
                _head.State.TailSegment = group.Key;
                try
                {
                    await _head.WriteStateAsync();
                }
                catch
                {
                    _head.State.TailSegment = previous;
                    throw;
                }
            }

            _last = group.Last().Position;
        }

        _metrics.Logged(fresh.Count);
        ReleaseWaiters();
        await ApplyRetentionAsync();
    }

    public async Task<EventPage> Read(long after, int max)
    {
        var start = Math.Max(after + 1, _head.State.First);
        var last = _last;
        var entries = new List<LoggedEvent>(Math.Min(max, 256));
        for (var position = start; position <= last && entries.Count < max;)
        {
            var segment = SegmentOf(position);
            var loaded = await LoadAsync(segment);
            foreach (var entry in loaded.Entries)
            {
                if (entry.Position >= position && entry.Position <= last && entries.Count < max)
                {
                    entries.Add(entry);
                }
            }

            position = (segment + 1) * SegmentSize + 1;
        }

        TrimCache();
        return new EventPage { Entries = [.. entries], First = _head.State.First, Last = last };
    }

    public async Task<long> WaitBeyond(long after, TimeSpan timeout)
    {
        if (_last > after)
        {
            return _last;
        }

        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = (after, done);
        _waiters.Add(waiter);
        try
        {
            return await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            return _last;
        }
        finally
        {
            _waiters.Remove(waiter);
        }
    }

    private void ReleaseWaiters()
    {
        foreach (var (after, done) in _waiters.Where(w => w.After < _last).ToList())
        {
            done.TrySetResult(_last);
        }
    }

    /// <summary>Drops whole segments from the front: beyond the count, or whose newest entry is older than the age.</summary>
    private async Task ApplyRetentionAsync()
    {
        var cutoff = _clock.GetUtcNow() - _options.MaxAge;
        var dropped = 0L;
        while (SegmentOf(_head.State.First) < _head.State.TailSegment)
        {
            var oldest = SegmentOf(_head.State.First);
            var segment = await LoadAsync(oldest);
            var tooMany = _last - _head.State.First + 1 > _options.MaxEventsPerPartition;
            var tooOld = segment.Entries.Count == 0 || segment.Entries[^1].Event.Time < cutoff;
            if (!tooMany && !tooOld)
            {
                break;
            }

            var next = (oldest + 1) * SegmentSize + 1;
            dropped += next - _head.State.First;
            _head.State.First = next;
            await _head.WriteStateAsync();
            await _storage.ClearStateAsync(SegmentName(oldest), GrainContext.GrainId,
                new GrainState<EventLogSegment>(new EventLogSegment(), segment.ETag) { RecordExists = segment.Exists });
            _segments.Remove(oldest);
        }

        if (dropped > 0)
        {
            _metrics.Expired(dropped);
        }
    }

    private async Task<(List<LoggedEvent> Entries, string? ETag, bool Exists)> LoadAsync(long segment)
    {
        if (_segments.TryGetValue(segment, out var cached))
        {
            return cached;
        }

        var state = new GrainState<EventLogSegment>(new EventLogSegment());
        await _storage.ReadStateAsync(SegmentName(segment), GrainContext.GrainId, state);
        var loaded = (state.State?.Entries ?? [], state.ETag, state.RecordExists);

        // Another interleaved read may have loaded (or an append replaced) it meanwhile: keep that one.
        if (!_segments.TryGetValue(segment, out cached))
        {
            _segments[segment] = loaded;
            return loaded;
        }

        return cached;
    }

    private async Task WriteSegmentAsync(long segment, List<LoggedEvent> entries, (List<LoggedEvent> Entries, string? ETag, bool Exists) current)
    {
        var state = new GrainState<EventLogSegment>(new EventLogSegment { Entries = entries }, current.ETag) { RecordExists = current.Exists };
        try
        {
            await _storage.WriteStateAsync(SegmentName(segment), GrainContext.GrainId, state);
        }
        catch
        {
            _segments.Remove(segment);
            throw;
        }

        _segments[segment] = (entries, state.ETag, state.RecordExists);
    }

    /// <summary>Keeps the tail and a few segments readers are on; the rest is read again when asked for.</summary>
    private void TrimCache()
    {
        const int Kept = 8;
        if (_segments.Count <= Kept)
        {
            return;
        }

        foreach (var segment in _segments.Keys.Where(s => s != _head.State.TailSegment).Order().Take(_segments.Count - Kept).ToList())
        {
            _segments.Remove(segment);
        }
    }

    private static long SegmentOf(long position) => (position - 1) / SegmentSize;

    private static string SegmentName(long segment) => $"event-segment-{segment:x10}";
}
