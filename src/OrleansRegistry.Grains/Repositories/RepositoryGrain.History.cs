using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.State;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>
/// Tag history: each tag's moves, newest first, in a bucketed map of its own (so a push rewrites one
/// small history bucket beside its tag bucket), written in the same write as the move itself. A tag's
/// delete keeps its history (a rollback restores an accidentally deleted tag), but only the history of
/// a tag that exists keeps manifests from garbage collection: deleting a tag still lets its manifests
/// go where untagged ones are collected. A manifest that leaves the repository (deleted, or collected)
/// leaves every history at once, so every entry names a stored manifest.
/// </summary>
public sealed partial class RepositoryGrain
{
    private BucketedMap<TagMove[]> _history = null!;

    public async Task<TagMove[]> TagHistory(string tag) => Kept(await _history.GetAsync(tag));

    public async Task<ManifestRecord?> RollbackTag(string tag, string digest)
    {
        var (manifest, logged) = await ExclusiveAsync(async () =>
        {
            if (!Kept(await _history.GetAsync(tag)).Any(m => m.Digest == digest) || await _manifests.GetAsync(digest) is not { } manifest)
            {
                return (null, Task.CompletedTask);
            }

            // As a push of the manifest by tag: a tag that names the digest already is not moved, and the event is sent either way.
            var movesTag = await _tags.GetAsync(tag) != digest;
            var logged = await CommitAsync([PushOf(manifest, tag)], registers: false, () => movesTag ? MoveTagAsync(tag, digest) : Task.CompletedTask);
            Referenced(manifest, _clock.GetUtcNow());
            return ((ManifestRecord?)manifest, logged);
        });
        await logged;
        return manifest;
    }

    private static EventDraft PushOf(ManifestRecord manifest, string? tag) =>
        new(EventActions.Push, manifest.Digest, manifest.MediaType, manifest.Size, tag);

    /// <summary>The history entry, then the tag: a crash in between leaves an entry that keeps one more manifest, never one less.</summary>
    private async Task MoveTagAsync(string tag, string digest)
    {
        var move = new TagMove { Digest = digest, Time = _clock.GetUtcNow(), Actor = EventOrigin.Current?.Actor ?? EventActor.Anonymous };
        await _history.SetAsync(tag, [move, .. Kept(await _history.GetAsync(tag)).Take(_historyDepth - 1)]);
        await _tags.SetAsync(tag, digest);
    }

    /// <summary>The entries within the depth: a depth lowered since they were written drops the older ones from then on.</summary>
    private TagMove[] Kept(TagMove[]? moves) => moves is null ? [] : [.. moves.Take(_historyDepth)];

    /// <summary>Every digest in the history of a tag that exists: garbage collection keeps them.</summary>
    private async Task<IEnumerable<string>> HistoryRootsAsync(IEnumerable<string> tags)
    {
        var existing = tags.ToHashSet(StringComparer.Ordinal);
        return (await _history.GetAllAsync()).Where(h => existing.Contains(h.Key)).SelectMany(h => Kept(h.Value)).Select(m => m.Digest);
    }

    /// <summary>Takes manifests that leave the repository out of every history (one bucket write per history that named one).</summary>
    private async Task ForgetInHistoriesAsync(HashSet<string> digests)
    {
        foreach (var (tag, moves) in await _history.GetAllAsync())
        {
            var rest = moves.Where(m => !digests.Contains(m.Digest)).ToArray();
            if (rest.Length == 0)
            {
                await _history.RemoveAsync(tag);
            }
            else if (rest.Length != moves.Length)
            {
                await _history.SetAsync(tag, rest);
            }
        }
    }
}
