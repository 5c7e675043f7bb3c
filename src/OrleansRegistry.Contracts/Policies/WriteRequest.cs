namespace OrleansRegistry.Contracts.Policies;

public enum WriteAction
{
    /// <summary>A manifest PUT, by tag (it sets or moves that tag) or by digest (no tag changes).</summary>
    PushManifest,

    /// <summary>A tag DELETE: the manifest stays.</summary>
    DeleteTag,

    /// <summary>A manifest DELETE by digest: every tag that points at it goes with it.</summary>
    DeleteManifest,
}

/// <summary>A write about to happen, as a policy sees it.</summary>
/// <param name="Digest">The manifest pushed, deleted, or named by the tag deleted.</param>
/// <param name="Tags">Every tag the write sets, moves or removes, with what it names now and after.</param>
public sealed record WriteRequest(WriteAction Action, string Repository, string Digest, IReadOnlyList<TagChange> Tags)
{
    /// <summary>For a push: the manifest's own length in bytes; 0 otherwise.</summary>
    public long ManifestSize { get; init; }

    /// <summary>For a push: the blobs the manifest references (config, layers), as it lists them; empty otherwise.</summary>
    public IReadOnlyList<string> Blobs { get; init; } = [];
}

/// <summary>One tag a write touches.</summary>
/// <param name="Current">The digest the tag names now; null when it does not exist yet.</param>
/// <param name="Next">The digest it will name; null when the write removes it.</param>
public readonly record struct TagChange(string Tag, string? Current, string? Next)
{
    /// <summary>The tag exists and would name another manifest, or none (pushing the same digest again changes nothing).</summary>
    public bool ChangesExisting => Current is not null && Current != Next;
}
