using Orleans.Concurrency;

namespace OrleansRegistry.Contracts.Events;

/// <summary>
/// One partition of the event log (key: 0 .. <see cref="EventPartitions.Count"/> - 1): events in the
/// order they were appended, each with its position, bounded by age and count.
/// </summary>
[Alias("event-log")]
public interface IEventLogGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Appends events, persisted before it returns. Concurrent appends are written together (one
    /// segment write for all of them).
    /// </summary>
    [AlwaysInterleave, Alias("append")]
    Task Append(RegistryEvent[] events);

    /// <summary>Up to <paramref name="max"/> entries after position <paramref name="after"/> (0: from the oldest kept).</summary>
    [AlwaysInterleave, Alias("read")]
    Task<EventPage> Read(long after, int max);

    /// <summary>Returns once an entry after <paramref name="after"/> exists, or after <paramref name="timeout"/>; the last position.</summary>
    [AlwaysInterleave, Alias("wait")]
    Task<long> WaitBeyond(long after, TimeSpan timeout);
}

/// <summary>An event and its position in its partition.</summary>
[GenerateSerializer, Immutable, Alias("logged-event")]
public sealed record LoggedEvent(
    [property: Id(0)] long Position,
    [property: Id(1)] RegistryEvent Event);

[GenerateSerializer, Immutable, Alias("event-page")]
public sealed record EventPage
{
    [Id(0)] public LoggedEvent[] Entries { get; init; } = [];

    /// <summary>The oldest position kept: entries before it were dropped by retention.</summary>
    [Id(1)] public long First { get; init; }

    /// <summary>The last position written.</summary>
    [Id(2)] public long Last { get; init; }
}
