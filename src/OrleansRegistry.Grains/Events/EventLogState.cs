using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Grains.Events;

/// <summary>The head of one event-log partition: the oldest position kept and the segment being written.</summary>
[GenerateSerializer, Alias("event-log-head")]
public sealed class EventLogHead
{
    [Id(0)] public long First { get; set; } = 1;
    [Id(1)] public long TailSegment { get; set; }
}

/// <summary>A run of <see cref="EventLogGrain.SegmentSize"/> consecutive entries, persisted as one record.</summary>
[GenerateSerializer, Alias("event-log-segment")]
public sealed class EventLogSegment
{
    [Id(0)] public List<LoggedEvent> Entries { get; set; } = [];
}
