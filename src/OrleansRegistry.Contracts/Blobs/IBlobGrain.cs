using Orleans.CodeGeneration;
using Orleans.Concurrency;

namespace OrleansRegistry.Contracts.Blobs;

/// <summary>
/// The blob index (key: digest): where the verified bytes of a digest are stored and which
/// repositories link them. Used for dedup, mount without <c>from</c> and, later, garbage collection.
/// Version 1 added <see cref="RegisterFor"/>: during a rollout Orleans moves an activation of a
/// silo that has only version 0 to one that has both.
/// </summary>
[Alias("blob"), Version(1)]
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
