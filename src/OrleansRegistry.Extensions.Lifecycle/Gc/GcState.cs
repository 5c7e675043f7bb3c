namespace OrleansRegistry.Extensions.Lifecycle.Gc;

[GenerateSerializer, Alias("gc-state")]
public sealed class GcState
{
    /// <summary>The last runs, newest first (each with at most <see cref="GarbageCollectorGrain.StoredItems"/> of its items).</summary>
    [Id(0)] public List<GcRun> Runs { get; set; } = [];

    /// <summary>Whether a run filled the blob index with every manifest stored before it had them (once per registry).</summary>
    [Id(1)] public bool Backfilled { get; set; }

    /// <summary>When the last scheduled run started: the next is due an interval later.</summary>
    [Id(2)] public DateTimeOffset? LastScheduledAt { get; set; }

    /// <summary>When the last run that went through the whole storage listing started: the next is due a grace period later.</summary>
    [Id(3)] public DateTimeOffset? LastFullSweepAt { get; set; }
}
