using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Contracts.Repositories;

/// <summary>One entry of a tag's history: the digest a push (or a rollback) set the tag to, when, and who did it.</summary>
[GenerateSerializer, Immutable, Alias("tag-move")]
public sealed record TagMove
{
    [Id(0)] public required string Digest { get; init; }
    [Id(1)] public required DateTimeOffset Time { get; init; }

    /// <summary>The actor of the write's events (<see cref="EventOrigin.Actor"/>): anonymous when the caller gave no origin.</summary>
    [Id(2)] public required EventActor Actor { get; init; }
}

/// <summary>A tag, the manifest it names, and when it was pushed there.</summary>
[GenerateSerializer, Immutable, Alias("tag-push")]
public sealed record TagPush(
    [property: Id(0)] string Tag,
    [property: Id(1)] string Digest,
    [property: Id(2)] DateTimeOffset PushedAt);
