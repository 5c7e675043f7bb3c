using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace OrleansRegistry.Grains.Events;

/// <summary>
/// The event log's instruments, on the meter <see cref="MeterName"/>: events written, delivered per
/// consumer, dropped by retention, and the age of the oldest undelivered event per consumer (from the
/// deliveries running on this silo).
/// </summary>
public sealed class EventMetrics
{
    public const string MeterName = "OrleansRegistry.Events";

    private readonly Counter<long> _written;
    private readonly Counter<long> _logged;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _expired;
    private readonly ConcurrentDictionary<string, (string Consumer, DateTimeOffset? Oldest)> _pending = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    public EventMetrics(IMeterFactory meterFactory, TimeProvider clock)
    {
        _clock = clock;
        var meter = meterFactory.Create(MeterName);
        _written = meter.CreateCounter<long>("registry_events_written_total", description: "Events of writes appended to the event log by the repositories.");
        _logged = meter.CreateCounter<long>("registry_events_logged_total", description: "Events appended to the event log (writes and pull batches).");
        _delivered = meter.CreateCounter<long>("registry_events_delivered_total", description: "Events delivered, by consumer.");
        _expired = meter.CreateCounter<long>("registry_events_dropped_total", description: "Events dropped from the log by retention (age or count).");
        meter.CreateObservableGauge("registry_events_oldest_undelivered_seconds", ObserveOldest,
            unit: "s", description: "Age of the oldest event not yet delivered, by consumer (0 when none).");
    }

    public void Written(int count) => _written.Add(count);

    public void Logged(int count) => _logged.Add(count);

    public void Expired(long count) => _expired.Add(count);

    public void Delivered(string consumer) => _delivered.Add(1, new KeyValuePair<string, object?>("consumer", consumer));

    /// <summary>What a delivery (one consumer, one partition) running here has not delivered yet.</summary>
    public void Pending(string deliveryKey, string consumer, DateTimeOffset? oldest) => _pending[deliveryKey] = (consumer, oldest);

    public void Stopped(string deliveryKey) => _pending.TryRemove(deliveryKey, out _);

    private IEnumerable<Measurement<double>> ObserveOldest()
    {
        var now = _clock.GetUtcNow();
        return _pending.Values
            .GroupBy(p => p.Consumer)
            .Select(g => new Measurement<double>(
                g.Max(p => p.Oldest is { } oldest ? (now - oldest).TotalSeconds : 0),
                new KeyValuePair<string, object?>("consumer", g.Key)));
    }
}
