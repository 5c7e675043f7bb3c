using OrleansRegistry.Contracts.Repositories;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>What retention asks a repository: reads only; its deletes go through the registry's delete path.</summary>
public sealed partial class RepositoryGrain
{
    public async Task<TagPush[]> TagPushes()
    {
        var histories = (await _history.GetAllAsync()).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
        var pushes = new List<TagPush>();
        foreach (var (tag, digest) in await _tags.GetAllAsync())
        {
            var pushedAt = histories.TryGetValue(tag, out var moves) && Kept(moves) is [var newest, ..]
                ? newest.Time
                : (await _manifests.GetAsync(digest))?.PushedAt ?? DateTimeOffset.MinValue;
            pushes.Add(new TagPush(tag, digest, pushedAt));
        }

        return [.. pushes];
    }

    public async Task<ManifestRecord[]> UntaggedAfter(string[] removing, DateTimeOffset keepPushedAfter)
    {
        var manifests = (await _manifests.GetAllAsync()).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var removed = removing.ToHashSet(StringComparer.Ordinal);
        var tags = await _tags.GetAllAsync();
        var remaining = tags.Where(t => !removed.Contains(t.Key)).ToList();
        var released = tags.Where(t => removed.Contains(t.Key)).Select(t => t.Value).ToHashSet(StringComparer.Ordinal);
        var recent = manifests.Values.Where(m => m.PushedAt > keepPushedAfter && !released.Contains(m.Digest)).Select(m => m.Digest);
        var roots = remaining.Select(t => t.Value).Concat(await HistoryRootsAsync(remaining.Select(t => t.Key))).Concat(recent);
        var kept = ManifestGraph.Retained(manifests, roots);
        return [.. manifests.Values.Where(m => !kept.Contains(m.Digest)).OrderBy(m => m.Digest, StringComparer.Ordinal)];
    }
}
