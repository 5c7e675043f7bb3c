namespace OrleansRegistry.Grains.Events;

/// <summary>
/// The <c>Registry:Events</c> configuration section: how long the event log keeps events. Every key is
/// listed in docs/configuration.md. A subscriber that falls further behind than this loses the oldest
/// events (counted in <c>registry_events_dropped_total</c>).
/// </summary>
public sealed class EventLogOptions
{
    public const string Section = "Registry:Events";

    /// <summary>Whether writes record events at all. Default true; off, writes append nothing to the log and nothing is delivered.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Events older than this are dropped. Default 7 days.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>At most this many events are kept in each of the 16 partitions. Default 100,000 (1.6 million in all).</summary>
    public int MaxEventsPerPartition { get; set; } = 100_000;

    /// <summary>
    /// How often at most a consumer's checkpoint is stored, per partition. Default 1 s: a crash delivers
    /// at most that much again (receivers deduplicate on the event id); zero stores it after every batch.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each silo sends the pulls it counted to the log. Default 5 s: a crash loses at most that much of pull events.</summary>
    public TimeSpan PullFlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
