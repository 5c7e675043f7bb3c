namespace OrleansRegistry.Grains.Repositories;

/// <summary>Repository metadata kept in one small record, with the repository's event outbox.</summary>
[GenerateSerializer]
public sealed class RepositoryMeta
{
    [Id(0)] public DateTimeOffset CreatedAt { get; set; }
    [Id(1)] public bool InCatalog { get; set; }

    /// <summary>Events of this repository's writes not yet handed to the event log (<see cref="RepositoryOutbox"/>).</summary>
    [Id(2)] public List<OutboxEntry> Outbox { get; set; } = [];

    /// <summary>The last event sequence number given out.</summary>
    [Id(3)] public long Sequence { get; set; }

    /// <summary>Manifests stored, when <see cref="CountsManifests"/> (repositories of earlier builds are counted once, when first needed).</summary>
    [Id(4)] public long ManifestCount { get; set; }

    [Id(5)] public bool CountsManifests { get; set; }
}

/// <summary>
/// An event in the outbox. Written before the write it describes (an intent); confirmed in memory when
/// that write is stored, and on disk with the repository's next record. An activation that finds an
/// unconfirmed entry (the last write of a silo that died) checks whether its write happened.
/// </summary>
[GenerateSerializer, Immutable, Alias("outbox-entry")]
public sealed record OutboxEntry
{
    [Id(0)] public required Contracts.Events.RegistryEvent Event { get; init; }
    [Id(1)] public bool Confirmed { get; init; }

    /// <summary>What the write changes in <see cref="RepositoryMeta.ManifestCount"/>, undone when it did not happen.</summary>
    [Id(2)] public int ManifestDelta { get; init; }
}
