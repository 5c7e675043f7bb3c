using Orleans.CodeGeneration;
using Orleans.Concurrency;
using OrleansRegistry.Contracts.Blobs;

namespace OrleansRegistry.Contracts.Repositories;

/// <summary>
/// One repository (key: its name). The single writer of its tags, manifests, blob links and
/// referrers; reads interleave with each other and with a write awaiting storage, and see only
/// persisted state. Writes are interleaving calls too: the grain runs them one at a time itself, so
/// that a write waiting for its events to reach the event log does not hold back the next one.
/// Version 1 added the lifecycle calls (garbage collection, tag history and rollback, quota counts,
/// retention's reads): during a rollout Orleans moves an activation of a silo that has only version 0
/// to one that has both.
/// </summary>
[Alias("repository"), Version(1)]
public interface IRepositoryGrain : IGrainWithStringKey
{
    /// <summary>True once anything was ever stored here (it stays listed in the catalog until garbage collection).</summary>
    [AlwaysInterleave, Alias("exists")]
    Task<bool> Exists();

    [AlwaysInterleave, Alias("get-blob")]
    Task<BlobLink?> GetBlob(string digest);

    /// <summary>Links a stored, verified blob into this repository (an upload completed). Idempotent.</summary>
    [AlwaysInterleave, Alias("link-blob")]
    Task LinkBlob(string digest, long size, string location);

    /// <summary>As <see cref="LinkBlob"/>, for a blob mounted from another repository (the event says so).</summary>
    [AlwaysInterleave, Alias("mount-blob")]
    Task MountBlob(string digest, long size, string location);

    [AlwaysInterleave, Alias("unlink-blob")]
    Task<bool> UnlinkBlob(string digest);

    /// <summary>
    /// Stores a manifest (and optionally moves a tag to it) after checking that every blob it
    /// references is linked here and, when <paramref name="requireChildManifests"/>, that every
    /// child manifest of an index is stored here. Persisted before it returns.
    /// </summary>
    [AlwaysInterleave, Alias("put-manifest")]
    Task<PutManifestResult> PutManifest(ManifestRecord manifest, string? tag, bool requireChildManifests);

    [AlwaysInterleave, Alias("get-manifest")]
    Task<ManifestRecord?> GetManifest(string digest);

    [AlwaysInterleave, Alias("resolve-tag")]
    Task<ManifestRecord?> ResolveTag(string tag);

    /// <summary>The tags that point at a manifest (those <see cref="DeleteManifest"/> would delete with it), in lexical order.</summary>
    [AlwaysInterleave, Alias("tags-of")]
    Task<string[]> TagsOf(string digest);

    /// <summary>
    /// The tag's history, newest first: every move of the tag (a push or a rollback that set it to
    /// another digest), at most <c>Registry:Tags:HistoryDepth</c>. It stays when the tag is deleted (a
    /// rollback restores the tag); a manifest's delete takes its digest out of every history.
    /// </summary>
    [AlwaysInterleave, Alias("tag-history")]
    Task<TagMove[]> TagHistory(string tag);

    /// <summary>
    /// Moves the tag back to <paramref name="digest"/>, a digest of its history, as a push of that manifest
    /// by tag does (a new history entry, the push event). Null when the digest is not in the tag's history.
    /// </summary>
    [AlwaysInterleave, Alias("rollback-tag")]
    Task<ManifestRecord?> RollbackTag(string tag, string digest);

    /// <summary>Deletes a manifest and every tag that points at it, and takes it out of every tag's history.</summary>
    [AlwaysInterleave, Alias("delete-manifest")]
    Task<bool> DeleteManifest(string digest);

    /// <summary>Deletes one tag; the manifest stays.</summary>
    [AlwaysInterleave, Alias("delete-tag")]
    Task<bool> DeleteTag(string tag);

    /// <summary>Tags in lexical order after <paramref name="last"/>, at most <paramref name="limit"/>.</summary>
    [AlwaysInterleave, Alias("list-tags")]
    Task<TagPage> ListTags(string? last, int limit);

    [AlwaysInterleave, Alias("referrers")]
    Task<List<ReferrerEntry>> GetReferrers(string subject);

    /// <summary>Whether the repository links the digest as a blob or stores it as a manifest.</summary>
    [AlwaysInterleave, Alias("holds")]
    Task<bool> Holds(string digest);

    /// <summary>Whether the repository stores the manifest (a read that, unlike <see cref="GetManifest"/>, does not count as a pull for garbage collection).</summary>
    [AlwaysInterleave, Alias("has-manifest")]
    Task<bool> HasManifest(string digest);

    /// <summary>The sizes of the blobs the repository links, in the order asked; null for a digest it does not link.</summary>
    [AlwaysInterleave, Alias("blob-sizes")]
    Task<long?[]> BlobSizes(string[] digests);

    /// <summary>Every manifest with what it takes in storage: its own bytes and its blobs' (as linked here). Loads every bucket: for quotas' counts, not for requests.</summary>
    [AlwaysInterleave, Alias("footprints")]
    Task<ManifestFootprint[]> Footprints();

    /// <summary>
    /// Every tag with the manifest it names and when it was pushed there: its newest history entry, or the
    /// manifest's push time for a tag without history. For retention.
    /// </summary>
    [AlwaysInterleave, Alias("tag-pushes")]
    Task<TagPush[]> TagPushes();

    /// <summary>
    /// The manifests that are untagged, or would be once the tags <paramref name="removing"/> are deleted,
    /// and that nothing keeps as garbage collection reckons it: no other tag or its history, no kept index
    /// (as a child), no kept manifest (as a referrer's subject). An untagged manifest pushed after
    /// <paramref name="keepPushedAfter"/> is kept too (a client pushes an index's children before the index),
    /// unless one of the tags removed names it. For retention; nothing is deleted.
    /// </summary>
    [AlwaysInterleave, Alias("untagged-after")]
    Task<ManifestRecord[]> UntaggedAfter(string[] removing, DateTimeOffset keepPushedAfter);

    /// <summary>
    /// Garbage collection of the repository, as one write: untagged manifests that nothing keeps go
    /// (when the policy says so), then blob links that no kept manifest references and nobody touched
    /// (linked, mounted, read, newly referenced) for the grace period. Returns what left, so the caller
    /// drops the repository from those digests' blob index; <paramref name="reportHeld"/> also returns
    /// every manifest it keeps (to fill the blob index of manifests stored before it had them).
    /// </summary>
    [AlwaysInterleave, Alias("collect")]
    Task<RepositoryCollection> Collect(CollectionPolicy policy, bool reportHeld);
}

/// <summary>A manifest and the unique content it takes: its own bytes first, then its blobs (a blob the repository does not link counts 0).</summary>
[GenerateSerializer, Immutable, Alias("manifest-footprint")]
public sealed record ManifestFootprint
{
    [Id(0)] public required string Digest { get; init; }
    [Id(1)] public required ContentSize[] Content { get; init; }
}

/// <summary>A digest and its length in bytes.</summary>
[GenerateSerializer, Immutable, Alias("content-size")]
public readonly record struct ContentSize([property: Id(0)] string Digest, [property: Id(1)] long Size);

/// <summary>A digest that garbage collection removed (or, in a dry run, would remove), and why.</summary>
[GenerateSerializer, Immutable, Alias("collected-item")]
public sealed record CollectedItem
{
    [Id(0)] public required string Digest { get; init; }
    [Id(1)] public required long Size { get; init; }
    [Id(2)] public required string Reason { get; init; }
}

[GenerateSerializer, Immutable, Alias("repository-collection")]
public sealed record RepositoryCollection
{
    [Id(0)] public CollectedItem[] DeletedManifests { get; init; } = [];
    [Id(1)] public CollectedItem[] UnlinkedBlobs { get; init; } = [];

    /// <summary>With <c>reportHeld</c>: every manifest kept, with its stored location.</summary>
    [Id(2)] public ManifestRecord[] HeldManifests { get; init; } = [];
}
