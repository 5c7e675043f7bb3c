using OrleansRegistry.Contracts.Blobs;
namespace OrleansRegistry.Grains.Blobs;

[GenerateSerializer]
public sealed class BlobState
{
    [Id(0)] public string? Location { get; set; }
    [Id(1)] public long Size { get; set; }
    [Id(2)] public HashSet<string> Repositories { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Since when no repository holds the bytes (the grace period of garbage collection runs from here).</summary>
    [Id(3)] public DateTimeOffset? UnreferencedSince { get; set; }

    /// <summary>Garbage collection deleted content of this digest once: a new registration checks that its content is stored.</summary>
    [Id(4)] public bool Collected { get; set; }

    /// <summary>The repository that held the bytes last: the event of their deletion is its.</summary>
    [Id(5)] public string? LastRepository { get; set; }

    /// <summary>
    /// When each repository was last added (a repository is added before it links the digest): one that
    /// does not hold the digest is dropped only once this is long past, so a link in flight is never lost.
    /// </summary>
    [Id(6)] public Dictionary<string, DateTimeOffset> AddedAt { get; set; } = new(StringComparer.Ordinal);
}
