namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>
/// The one garbage collector of the cluster (key <see cref="Key"/>): runs one pass at a time, on its
/// schedule (every silo pokes it, so it lives on after its silo dies) or when an admin asks.
/// </summary>
[Alias("gc")]
public interface IGarbageCollectorGrain : IGrainWithStringKey
{
    public const string Key = "gc";

    /// <summary>Runs a pass now (or waits for the one running, when it is not a dry run and this is not either) and answers it.</summary>
    [Alias("run")]
    Task<GcRun> Run(bool dryRun);

    /// <summary>Starts a scheduled pass when one is due; returns at once.</summary>
    [Alias("poke")]
    Task Poke();

    /// <summary>The last runs, newest first, and whether one is running.</summary>
    [Alias("status")]
    Task<GcStatus> Status();
}

[GenerateSerializer, Immutable, Alias("gc-status")]
public sealed record GcStatus
{
    [Id(0)] public bool Running { get; init; }
    [Id(1)] public GcRun[] Runs { get; init; } = [];
}
