using Microsoft.Extensions.Options;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Media;
using OrleansRegistry.Core.References;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Server.Policies;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Manifests;

/// <summary>Stores, resolves and deletes manifests: the bytes in blob storage, the record in the repository grain.</summary>
/// <remarks>
/// Reads always ask the repository grain whether the manifest exists (its reads interleave, so pulls do
/// not queue behind each other); only the immutable bytes come from the silo's <see cref="ManifestBytesCache"/>.
/// </remarks>
public sealed class ManifestService(
    IGrainFactory grains, IBlobStore store, IOptions<RegistryOptions> options, TimeProvider clock, ManifestBytesCache cache, RegistryMetrics metrics,
    WritePolicyGate policies)
{
    /// <summary>
    /// Validates and stores a manifest pushed to <paramref name="reference"/> (a tag or a digest).
    /// The bytes are stored exactly as sent and become visible only once the repository has the record;
    /// a write policy that refuses the push does so before anything is stored, and what a policy reserved
    /// for it (a quota) is released when the repository refuses it.
    /// </summary>
    public async Task<ManifestRecord> PutAsync(
        string repository, string? tag, Digest? expected, byte[] body, string? contentType, CancellationToken cancellationToken)
    {
        var digest = Digest.Compute(expected?.Algorithm ?? DigestAlgorithm.Sha256, body);
        if (expected is { } wanted && wanted != digest)
        {
            throw new OciException(OciErrorCode.DigestInvalid, "the manifest does not match the digest in the URL",
                new { expected = wanted.ToString(), actual = digest.ToString() });
        }

        var parsed = ManifestParser.Parse(body, contentType, keepDescriptorAnnotations: false);
        if (!parsed.IsValid)
        {
            throw parsed.ToException();
        }

        var manifest = parsed.Manifest!;
        string[] blobs = [.. manifest.ReferencedBlobs.Where(d => !IsNonDistributable(d.MediaType)).Select(d => d.Digest.ToString())];
        await using var admission = await policies.CheckPushAsync(repository, digest.ToString(), tag, body.Length, blobs, cancellationToken);
        var location = await StoreBytesAsync(repository, digest, body, cancellationToken);
        var record = new ManifestRecord
        {
            Digest = digest.ToString(),
            MediaType = manifest.MediaType,
            Size = body.Length,
            Location = location.Value,
            Subject = manifest.Subject?.Digest.ToString(),
            ArtifactType = manifest.ArtifactType,
            Annotations = manifest.Annotations is null ? null : new(manifest.Annotations),
            Blobs = blobs,
            ChildManifests = [.. manifest.ReferencedManifests.Select(d => d.Digest.ToString())],
            PushedAt = clock.GetUtcNow(),
        };

        var result = await Repository(repository).PutManifest(record, tag, options.Value.RequireIndexChildren);
        if (result.Status != PutManifestStatus.Stored)
        {
            var what = result.Status == PutManifestStatus.BlobUnknown ? "blob" : "manifest";
            throw new OciException(StatusCodes.Status400BadRequest, [.. result.Missing.Select(d =>
                new OciError(OciErrorCode.ManifestBlobUnknown, $"referenced {what} is not in the repository", new { digest = d }))]);
        }

        admission.Done();

        // A pull right after a push (the usual order) is then served from memory on this silo.
        cache.Add(repository, record.Digest, body);
        return record;
    }

    /// <summary>
    /// The bytes, then the blob index naming this repository (before the repository's record, so garbage
    /// collection never deletes bytes a record names). A filesystem put that found bytes garbage
    /// collection deleted a moment later is told so by the index, and puts them again.
    /// </summary>
    private async Task<BlobLocation> StoreBytesAsync(string repository, Digest digest, byte[] body, CancellationToken cancellationToken)
    {
        var index = grains.GetGrain<IBlobGrain>(digest.ToString());
        while (true)
        {
            var location = await store.PutAsync(digest, body, cancellationToken);
            if (await index.RegisterIfStored(repository, location.Value, body.Length) is { } registered)
            {
                return new BlobLocation(registered.Location);
            }
        }
    }

    /// <summary>The manifest a tag or digest names, or MANIFEST_UNKNOWN / NAME_UNKNOWN.</summary>
    public async Task<ManifestRecord> ResolveAsync(string repository, Reference reference)
    {
        var grain = Repository(repository);
        var record = reference.IsDigest
            ? await grain.GetManifest(reference.Digest.Value.ToString())
            : await grain.ResolveTag(reference.Tag);
        return record ?? throw Unknown(reference.ToString());
    }

    /// <summary>MANIFEST_UNKNOWN (404) for a reference that names no manifest of the repository.</summary>
    public static OciException Unknown(string reference) =>
        new(OciErrorCode.ManifestUnknown, detail: new { reference });

    public Task<Stream> OpenAsync(ManifestRecord record, CancellationToken cancellationToken) =>
        store.OpenReadAsync(new BlobLocation(record.Location), 0, null, cancellationToken);

    /// <summary>The cached entry of a manifest, without reading storage and without counting a lookup.</summary>
    public CachedManifest? Peek(string repository, ManifestRecord record) =>
        cache.TryGet(repository, record.Digest, out var cached) ? cached : null;

    /// <summary>
    /// The bytes of a manifest that <see cref="ResolveAsync"/> just found in <paramref name="repository"/>:
    /// from this silo's cache (<paramref name="peeked"/> when the caller already looked), or read from
    /// storage once and kept. Counts one cache lookup.
    /// </summary>
    public async ValueTask<CachedManifest> GetBytesAsync(
        string repository, ManifestRecord record, CachedManifest? peeked, CancellationToken cancellationToken)
    {
        var cached = peeked ?? Peek(repository, record);
        if (cached is not null && cached.Bytes.LongLength == record.Size)
        {
            metrics.CacheHit(RegistryCache.Manifest);
            return cached;
        }

        metrics.CacheMiss(RegistryCache.Manifest);
        if (record.Size > options.Value.MaxManifestBytes && record.Size > ManifestParser.MaxManifestBytes)
        {
            throw new InvalidOperationException($"manifest {record.Digest} is larger ({record.Size} bytes) than any accepted manifest");
        }

        var bytes = new byte[record.Size];
        await using (var content = await OpenAsync(record, cancellationToken))
        {
            await content.ReadExactlyAsync(bytes, cancellationToken);
            if (await content.ReadAsync(new byte[1], cancellationToken) != 0)
            {
                throw new InvalidOperationException($"manifest {record.Digest} in storage is longer than its record");
            }
        }

        return cache.Add(repository, record.Digest, bytes);
    }

    /// <summary>Deletes a manifest by digest (with its tags) or one tag, once the write policies allow it.</summary>
    public async Task DeleteAsync(string repository, Reference reference, CancellationToken cancellationToken)
    {
        var grain = Repository(repository);
        bool deleted;
        if (reference.IsDigest)
        {
            var name = reference.Digest.Value.ToString();
            await using var admission = await policies.CheckManifestDeleteAsync(repository, name, cancellationToken);
            deleted = await grain.DeleteManifest(name);
            if (deleted)
            {
                admission.Done();
                // After the record (a crash in between leaves a superset, which garbage collection checks).
                await grains.GetGrain<IBlobGrain>(name).RemoveRepository(repository);
            }

            // Not needed for correctness (every read asks the grain first), only to free the memory now.
            cache.Remove(repository, name);
        }
        else
        {
            await using var admission = await policies.CheckTagDeleteAsync(repository, reference.Tag, cancellationToken);
            deleted = await grain.DeleteTag(reference.Tag);
            if (deleted)
            {
                admission.Done();
            }
        }

        if (!deleted)
        {
            throw Unknown(reference.ToString());
        }
    }

    /// <summary>
    /// Moves <paramref name="tag"/> back to <paramref name="digest"/>, a digest of its history: a push of that
    /// manifest by tag for the write policies (an immutable tag refuses it) and for its event. MANIFEST_UNKNOWN
    /// (404) when the digest is not in the tag's history.
    /// </summary>
    public async Task<ManifestRecord> RollbackAsync(string repository, string tag, string digest, CancellationToken cancellationToken)
    {
        var notInHistory = new OciException(OciErrorCode.ManifestUnknown, "the digest is not in the tag's history", new { tag, digest });
        var target = await Repository(repository).GetManifest(digest) ?? throw notInHistory;
        await using var admission = await policies.CheckPushAsync(repository, digest, tag, target.Size, target.Blobs, cancellationToken);
        var moved = await Repository(repository).RollbackTag(tag, digest) ?? throw notInHistory;
        admission.Done();
        return moved;
    }

    /// <summary>Foreign / non-distributable layers are not pushed to registries, so they are not required to be here.</summary>
    private static bool IsNonDistributable(string mediaType) =>
        mediaType.Contains("foreign", StringComparison.Ordinal) || mediaType.Contains("nondistributable", StringComparison.Ordinal);

    private IRepositoryGrain Repository(string name) => grains.GetGrain<IRepositoryGrain>(name);
}
