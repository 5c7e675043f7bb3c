namespace OrleansRegistry.Contracts.Repositories;

/// <summary>
/// What a repository knows of one of its manifests. The bytes live in blob storage at
/// <see cref="Location"/>; <see cref="Blobs"/> and <see cref="ChildManifests"/> are what
/// online garbage collection will follow.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ManifestRecord
{
    [Id(0)] public required string Digest { get; init; }
    [Id(1)] public required string MediaType { get; init; }
    [Id(2)] public required long Size { get; init; }
    [Id(3)] public required string Location { get; init; }
    [Id(4)] public string? Subject { get; init; }
    [Id(5)] public string? ArtifactType { get; init; }
    [Id(6)] public Dictionary<string, string>? Annotations { get; init; }
    [Id(7)] public string[] Blobs { get; init; } = [];
    [Id(8)] public string[] ChildManifests { get; init; } = [];
    [Id(9)] public DateTimeOffset PushedAt { get; init; }
}

/// <summary>A blob linked into a repository: the repository may serve and mount it.</summary>
[GenerateSerializer, Immutable]
public sealed record BlobLink
{
    [Id(0)] public required long Size { get; init; }
    [Id(1)] public required string Location { get; init; }
    [Id(2)] public DateTimeOffset LinkedAt { get; init; }

    /// <summary>The last read of the link that was persisted (at most one write an hour): garbage collection's grace runs from the later of the two.</summary>
    [Id(3)] public DateTimeOffset TouchedAt { get; init; }
}

/// <summary>A manifest that names another as its subject, as the referrers API lists it.</summary>
[GenerateSerializer, Immutable]
public sealed record ReferrerEntry
{
    [Id(0)] public required string Digest { get; init; }
    [Id(1)] public required string MediaType { get; init; }
    [Id(2)] public required long Size { get; init; }
    [Id(3)] public string? ArtifactType { get; init; }
    [Id(4)] public Dictionary<string, string>? Annotations { get; init; }
}

[GenerateSerializer, Immutable]
public sealed record TagPage
{
    [Id(0)] public required List<string> Tags { get; init; }

    /// <summary>True when tags follow the last one returned.</summary>
    [Id(1)] public bool HasMore { get; init; }
}

public enum PutManifestStatus
{
    Stored,
    BlobUnknown,
    ManifestUnknown,
}

[GenerateSerializer, Immutable]
public sealed record PutManifestResult
{
    [Id(0)] public required PutManifestStatus Status { get; init; }

    /// <summary>Digests that are referenced but not present in the repository.</summary>
    [Id(1)] public string[] Missing { get; init; } = [];
}
