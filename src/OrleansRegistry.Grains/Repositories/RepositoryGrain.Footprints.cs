using OrleansRegistry.Contracts.Repositories;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>What the repository's manifests take in storage, for quotas (reads: no write, no touch).</summary>
public sealed partial class RepositoryGrain
{
    public async Task<bool> HasManifest(string digest) => await _manifests.ContainsAsync(digest);

    public async Task<long?[]> BlobSizes(string[] digests)
    {
        var sizes = new long?[digests.Length];
        for (var i = 0; i < digests.Length; i++)
        {
            sizes[i] = (await _blobs.GetAsync(digests[i]))?.Size;
        }

        return sizes;
    }

    public async Task<ManifestFootprint[]> Footprints()
    {
        var links = (await _blobs.GetAllAsync()).ToDictionary(e => e.Key, e => e.Value.Size, StringComparer.Ordinal);
        return [.. (await _manifests.GetAllAsync()).Select(e => new ManifestFootprint
        {
            Digest = e.Key,
            Content = [new ContentSize(e.Key, e.Value.Size), .. e.Value.Blobs.Distinct(StringComparer.Ordinal).Select(b => new ContentSize(b, links.GetValueOrDefault(b)))],
        })];
    }
}
