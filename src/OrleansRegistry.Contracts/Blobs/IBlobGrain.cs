using Orleans.CodeGeneration;
using Orleans.Concurrency;

namespace OrleansRegistry.Contracts.Blobs;

/// <summary>
/// The blob index (key: digest): where the verified bytes of a digest are stored (a layer, a config,
/// or a manifest's own bytes) and which repositories hold them. Used for dedup, mount without
/// <c>from</c> and garbage collection. Version 1 added <see cref="RegisterFor"/>, version 2
/// <see cref="RegisterIfStored"/>, <see cref="Link"/>, <see cref="Collect"/> and <see cref="CollectRegistered"/>: during a rollout
/// Orleans moves an activation of a silo that has only an older version to one that has the newer.
/// </summary>
[Alias("blob"), Version(2)]
public interface IBlobGrain : IGrainWithStringKey
{
    [AlwaysInterleave, Alias("get")]
    Task<BlobInfo?> Get();

    /// <summary>
    /// Records the stored bytes of this digest. The first registration wins; a later one gets
    /// the canonical location back (its own copy is then redundant). Silos of the previous release
    /// finish an upload with this and <see cref="AddRepository"/>.
    /// </summary>
    [Alias("register")]
    Task<BlobInfo> Register(string location, long size);

    /// <summary>
    /// <see cref="Register"/> and <see cref="AddRepository"/> in one state write, for an upload that
    /// finishes into <paramref name="repository"/>: before the repository links the blob.
    /// </summary>
    [Alias("register-for")]
    Task<BlobInfo> RegisterFor(string repository, string location, long size);

    /// <summary>Records that a repository links this blob; done before the repository links it.</summary>
    [Alias("add-repository")]
    Task AddRepository(string repository);

    [Alias("remove-repository")]
    Task RemoveRepository(string repository);

    /// <summary>
    /// <see cref="RegisterFor"/>, except that once garbage collection deleted this digest's bytes, the
    /// content at <paramref name="location"/> is checked first: null when it is not stored (a filesystem
    /// commit or put found the old file just before it was deleted), and the caller stores it again.
    /// </summary>
    [Alias("register-if-stored")]
    Task<BlobInfo?> RegisterIfStored(string repository, string location, long size);

    /// <summary>Adds a repository (a mount) while the bytes are stored; null, and nothing added, when they are not.</summary>
    [Alias("link")]
    Task<BlobInfo?> Link(string repository);

    /// <summary>
    /// Garbage collection of one piece of stored content of this digest, as the storage listing shows it:
    /// repositories named here that no longer hold the digest are dropped; content that is not the
    /// registered copy (a redundant or orphaned one) is deleted once older than the grace period; the
    /// registered copy is deleted once no repository has held it for the grace period.
    /// </summary>
    [Alias("collect")]
    Task<BlobCollection> Collect(StoredCopy copy, CollectionPolicy policy);

    /// <summary><see cref="Collect"/> of the registered copy (a candidate's, between full listings); <see cref="BlobCollectionOutcome.Gone"/> when none is.</summary>
    [Alias("collect-registered")]
    Task<BlobCollection> CollectRegistered(CollectionPolicy policy);
}

/// <summary>A piece of stored content, as the storage listing shows it.</summary>
[GenerateSerializer, Immutable, Alias("stored-copy")]
public sealed record StoredCopy
{
    [Id(0)] public required string Location { get; init; }
    [Id(1)] public required long Length { get; init; }
    [Id(2)] public required DateTimeOffset LastModified { get; init; }
}

/// <summary>How a collection decides: content untouched for <see cref="Grace"/> may go; a dry run changes nothing.</summary>
[GenerateSerializer, Immutable, Alias("collection-policy")]
public sealed record CollectionPolicy
{
    [Id(0)] public required TimeSpan Grace { get; init; }
    [Id(1)] public bool DryRun { get; init; }

    /// <summary>Whether untagged manifests (not an index's child, not a referrer of a kept manifest) are deleted.</summary>
    [Id(2)] public bool RemoveUntagged { get; init; }
}

public enum BlobCollectionOutcome
{
    Kept,

    /// <summary>The registered copy: no repository held it for the grace period.</summary>
    Deleted,

    /// <summary>A copy that is not the registered one (redundant, or left by a crash), older than the grace period.</summary>
    OrphanDeleted,

    /// <summary>Nothing registered is stored (already collected).</summary>
    Gone,
}

[GenerateSerializer, Immutable, Alias("blob-collection")]
public sealed record BlobCollection
{
    [Id(0)] public required BlobCollectionOutcome Outcome { get; init; }

    /// <summary>Why: what a dry run would do, or what was done.</summary>
    [Id(1)] public required string Reason { get; init; }

    /// <summary>Whether a deletion is an event (<c>blob.collect</c> of the repository that held the bytes last); else only the caller can tell of it.</summary>
    [Id(2)] public bool Logged { get; init; }

    /// <summary>Bytes the deletion freed.</summary>
    [Id(3)] public long Size { get; init; }

    /// <summary>Kept because a repository holds it (no longer a candidate).</summary>
    [Id(4)] public bool Held { get; init; }

    /// <summary>Whether a candidate of garbage collection is settled by this: deleted, gone, or held again.</summary>
    public bool Settled => Outcome is BlobCollectionOutcome.Deleted or BlobCollectionOutcome.Gone || Held;
}

[GenerateSerializer, Immutable]
public sealed record BlobInfo
{
    [Id(0)] public required string Location { get; init; }
    [Id(1)] public required long Size { get; init; }

    /// <summary>
    /// Repositories that link the blob. A superset: a crash between this record and the
    /// repository's own link leaves an extra name, which readers check against the repository.
    /// </summary>
    [Id(2)] public string[] Repositories { get; init; } = [];
}
