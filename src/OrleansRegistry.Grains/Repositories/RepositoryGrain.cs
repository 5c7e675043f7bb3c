using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansRegistry.Grains.Catalog;
using OrleansRegistry.Contracts.Catalog;
using OrleansRegistry.Grains.State;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>
/// Write order inside a repository, chosen so that a crash between two writes leaves nothing
/// that a reader could trust wrongly:
/// referrer entry → manifest record → tag (a dangling referrer entry is filtered on read; a
/// manifest without a tag is harmless and the client retries); deleting goes the other way:
/// tags → manifest record → referrer entry.
/// </summary>
public sealed class RepositoryGrain : Grain, IRepositoryGrain
{
    // Sized so one tag push in a repository of 20,000 tags rewrites a few KiB, not the whole map.
    internal const int TagBuckets = 256;
    internal const int ManifestBuckets = 1024;
    internal const int BlobBuckets = 1024;
    internal const int ReferrerBuckets = 256;

    private readonly IPersistentState<RepositoryMeta> _meta;
    private BucketedMap<string> _tags = null!;
    private BucketedMap<ManifestRecord> _manifests = null!;
    private BucketedMap<BlobLink> _blobs = null!;
    private BucketedMap<List<ReferrerEntry>> _referrers = null!;

    public RepositoryGrain(
        [PersistentState("meta", GrainStorageNames.Registry)] IPersistentState<RepositoryMeta> meta)
    {
        _meta = meta;
    }

    private string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Registry);
        _tags = new(storage, GrainContext.GrainId, "tags", TagBuckets);
        _manifests = new(storage, GrainContext.GrainId, "manifests", ManifestBuckets);
        _blobs = new(storage, GrainContext.GrainId, "blobs", BlobBuckets);
        _referrers = new(storage, GrainContext.GrainId, "referrers", ReferrerBuckets);
        return Task.CompletedTask;
    }

    public Task<bool> Exists() => Task.FromResult(_meta.State.InCatalog);

    public async Task<BlobLink?> GetBlob(string digest) => await _blobs.GetAsync(digest);

    public async Task LinkBlob(string digest, long size, string location)
    {
        await EnsureRegisteredAsync();
        if (await _blobs.ContainsAsync(digest))
        {
            return;
        }

        await _blobs.SetAsync(digest, new BlobLink { Size = size, Location = location, LinkedAt = DateTimeOffset.UtcNow });
    }

    public async Task<bool> UnlinkBlob(string digest) => await _blobs.RemoveAsync(digest);

    public async Task<PutManifestResult> PutManifest(ManifestRecord manifest, string? tag, bool requireChildManifests)
    {
        var missingBlobs = new List<string>();
        foreach (var blob in manifest.Blobs.Distinct(StringComparer.Ordinal))
        {
            if (!await _blobs.ContainsAsync(blob))
            {
                missingBlobs.Add(blob);
            }
        }

        if (missingBlobs.Count > 0)
        {
            return new PutManifestResult { Status = PutManifestStatus.BlobUnknown, Missing = [.. missingBlobs] };
        }

        if (requireChildManifests)
        {
            var missingChildren = new List<string>();
            foreach (var child in manifest.ChildManifests.Distinct(StringComparer.Ordinal))
            {
                if (!await _manifests.ContainsAsync(child))
                {
                    missingChildren.Add(child);
                }
            }

            if (missingChildren.Count > 0)
            {
                return new PutManifestResult { Status = PutManifestStatus.ManifestUnknown, Missing = [.. missingChildren] };
            }
        }

        await EnsureRegisteredAsync();
        if (manifest.Subject is { } subject)
        {
            await AddReferrerAsync(subject, manifest);
        }

        if (!await _manifests.ContainsAsync(manifest.Digest))
        {
            await _manifests.SetAsync(manifest.Digest, manifest);
        }

        if (tag is not null && await _tags.GetAsync(tag) != manifest.Digest)
        {
            await _tags.SetAsync(tag, manifest.Digest);
        }

        return new PutManifestResult { Status = PutManifestStatus.Stored };
    }

    public async Task<ManifestRecord?> GetManifest(string digest) => await _manifests.GetAsync(digest);

    public async Task<ManifestRecord?> ResolveTag(string tag)
    {
        var digest = await _tags.GetAsync(tag);
        return digest is null ? null : await _manifests.GetAsync(digest);
    }

    public async Task<bool> DeleteManifest(string digest)
    {
        var manifest = await _manifests.GetAsync(digest);
        if (manifest is null)
        {
            return false;
        }

        foreach (var (tag, target) in await _tags.GetAllAsync())
        {
            if (target == digest)
            {
                await _tags.RemoveAsync(tag);
            }
        }

        await _manifests.RemoveAsync(digest);
        if (manifest.Subject is { } subject)
        {
            await RemoveReferrerAsync(subject, digest);
        }

        return true;
    }

    public async Task<bool> DeleteTag(string tag) => await _tags.RemoveAsync(tag);

    public async Task<TagPage> ListTags(string? last, int limit)
    {
        var all = await _tags.GetAllAsync();
        var (page, hasMore) = TagOrder.Page(all.Select(e => e.Key), last, limit);
        return new TagPage { Tags = page, HasMore = hasMore };
    }

    public async Task<List<ReferrerEntry>> GetReferrers(string subject)
    {
        var entries = await _referrers.GetAsync(subject) ?? [];
        var live = new List<ReferrerEntry>(entries.Count);
        foreach (var entry in entries)
        {
            // An entry whose manifest write never happened (crash in between) is not served.
            if (await _manifests.ContainsAsync(entry.Digest))
            {
                live.Add(entry);
            }
        }

        return live;
    }

    private async Task AddReferrerAsync(string subject, ManifestRecord manifest)
    {
        var entries = await _referrers.GetAsync(subject) ?? [];
        if (entries.Any(e => e.Digest == manifest.Digest))
        {
            return;
        }

        var entry = new ReferrerEntry
        {
            Digest = manifest.Digest,
            MediaType = manifest.MediaType,
            Size = manifest.Size,
            ArtifactType = manifest.ArtifactType,
            Annotations = manifest.Annotations,
        };
        await _referrers.SetAsync(subject, [.. entries, entry]);
    }

    private async Task RemoveReferrerAsync(string subject, string digest)
    {
        var entries = await _referrers.GetAsync(subject);
        if (entries is null)
        {
            return;
        }

        var rest = entries.Where(e => e.Digest != digest).ToList();
        if (rest.Count == 0)
        {
            await _referrers.RemoveAsync(subject);
        }
        else if (rest.Count != entries.Count)
        {
            await _referrers.SetAsync(subject, rest);
        }
    }

    /// <summary>The catalog learns of a repository before its first content is stored.</summary>
    private async Task EnsureRegisteredAsync()
    {
        if (_meta.State.InCatalog)
        {
            return;
        }

        await GrainFactory.GetGrain<ICatalogGrain>(GrainKeys.Catalog).Add(Name);
        _meta.State.CreatedAt = DateTimeOffset.UtcNow;
        _meta.State.InCatalog = true;
        try
        {
            await _meta.WriteStateAsync();
        }
        catch
        {
            _meta.State.InCatalog = false;
            throw;
        }
    }
}
