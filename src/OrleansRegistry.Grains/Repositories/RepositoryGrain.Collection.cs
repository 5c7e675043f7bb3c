using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>
/// Garbage collection of one repository. A blob link's grace runs from its last touch: linked or
/// mounted (<see cref="BlobLink.LinkedAt"/>), read (HEAD or GET, which a client does before it
/// references a blob it thinks is there), or referenced by a manifest pushed or deleted. Touches are
/// kept in memory and persisted at most once per <see cref="TouchPersistInterval"/> per link, so a
/// read costs no write; an activation that ends forgets at most that much of its touches.
/// </summary>
public sealed partial class RepositoryGrain
{
    private static readonly TimeSpan TouchPersistInterval = TimeSpan.FromHours(1);

    private readonly Dictionary<string, DateTimeOffset> _touched = new(StringComparer.Ordinal);

    /// <summary>
    /// Links and manifests a collection decided to remove, from the decision until their removal is
    /// stored: reads (which interleave with the write) already answer them as absent, so no client is
    /// told a blob is here (HEAD 200) a moment before it is gone.
    /// </summary>
    private readonly HashSet<string> _collecting = new(StringComparer.Ordinal);

    public async Task<bool> Holds(string digest) => await _blobs.ContainsAsync(digest) || await _manifests.ContainsAsync(digest);

    /// <remarks>
    /// Planned first on a snapshot outside the gate (reads interleave), so a repository with nothing to
    /// collect never holds back its pushes; planned again under the gate, and carried out, when there is.
    /// </remarks>
    public async Task<RepositoryCollection> Collect(CollectionPolicy policy, bool reportHeld)
    {
        var snapshot = await PlanAsync(policy, reportHeld);
        if (policy.DryRun || snapshot.IsEmpty)
        {
            return snapshot.Collection;
        }

        var (collection, logged) = await ExclusiveAsync(() => CollectAsync(policy, reportHeld));
        await logged;
        return collection;
    }

    private sealed record CollectionPlan(Dictionary<string, ManifestRecord> Manifests, List<ManifestRecord> Doomed, List<CollectedItem> Unlinked, RepositoryCollection Collection)
    {
        public bool IsEmpty => Doomed.Count == 0 && Unlinked.Count == 0;
    }

    private async Task<CollectionPlan> PlanAsync(CollectionPolicy policy, bool reportHeld)
    {
        var now = _clock.GetUtcNow();
        var manifests = (await _manifests.GetAllAsync()).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var kept = policy.RemoveUntagged
            ? ManifestGraph.Retained(manifests, await RootsAsync(manifests, policy.Grace, now))
            : [.. manifests.Keys];
        var doomed = manifests.Values.Where(m => !kept.Contains(m.Digest)).ToList();
        var referenced = ManifestGraph.ReferencedBlobs(manifests, kept);
        var unlinked = (await _blobs.GetAllAsync())
            .Select(link => (link.Key, link.Value, Touched: LastTouch(link.Key, link.Value)))
            .Where(link => !referenced.Contains(link.Key) && now - link.Touched >= policy.Grace)
            .Select(link => new CollectedItem { Digest = link.Key, Size = link.Value.Size, Reason = $"gc: referenced by no manifest, last touched {link.Touched:O}" })
            .ToList();
        return new CollectionPlan(manifests, doomed, unlinked, new RepositoryCollection
        {
            DeletedManifests = [.. doomed.Select(m => new CollectedItem { Digest = m.Digest, Size = m.Size, Reason = $"gc: untagged and unreferenced, pushed {m.PushedAt:O}" })],
            UnlinkedBlobs = [.. unlinked],
            HeldManifests = reportHeld ? [.. kept.Select(d => manifests[d])] : [],
        });
    }

    private async Task<(RepositoryCollection, Task Logged)> CollectAsync(CollectionPolicy policy, bool reportHeld)
    {
        var (manifests, doomed, unlinked, collection) = await PlanAsync(policy, reportHeld);
        if (doomed.Count == 0 && unlinked.Count == 0)
        {
            return (collection, Task.CompletedTask);
        }

        // Decided in this turn, hidden in this turn: no read can slip in between.
        var removing = doomed.Select(m => m.Digest).Concat(unlinked.Select(b => b.Digest)).ToList();
        _collecting.UnionWith(removing);
        try
        {
            var drafts = collection.DeletedManifests.Select(m => new EventDraft(EventActions.Delete, m.Digest, manifests[m.Digest].MediaType, m.Size, Reason: m.Reason))
                .Concat(unlinked.Select(b => new EventDraft(EventActions.BlobDelete, b.Digest, Size: b.Size, Reason: b.Reason)))
                .ToList();
            if (doomed.Count > 0 && doomed.Count == manifests.Count)
            {
                drafts.Add(new EventDraft(EventActions.RepositoryEmpty, Reason: "gc"));
            }

            var logged = await CommitAsync(drafts, registers: false, async () =>
            {
                // As a delete: history entries, the manifest record, then its referrer entry; links last.
                if (doomed.Count > 0)
                {
                    await ForgetInHistoriesAsync([.. doomed.Select(m => m.Digest)]);
                }

                foreach (var manifest in doomed)
                {
                    await _manifests.RemoveAsync(manifest.Digest);
                    if (manifest.Subject is { } subject)
                    {
                        await RemoveReferrerAsync(subject, manifest.Digest);
                    }
                }

                foreach (var blob in unlinked)
                {
                    await _blobs.RemoveAsync(blob.Digest);
                }
            });
            _manifestCount = manifests.Count - doomed.Count;
            return (collection, logged);
        }
        finally
        {
            _collecting.ExceptWith(removing);
        }
    }

    /// <summary>
    /// What keeps untagged manifests from going: tags, the histories of the tags (so a rollback finds its
    /// manifest and its blobs), and a push or read within the grace period.
    /// </summary>
    private async Task<IEnumerable<string>> RootsAsync(Dictionary<string, ManifestRecord> manifests, TimeSpan grace, DateTimeOffset now)
    {
        var tags = await _tags.GetAllAsync();
        var replaced = await HistoryRootsAsync(tags.Select(t => t.Key));
        var recent = manifests.Values
            .Where(m => now - m.PushedAt < grace || (_touched.TryGetValue(m.Digest, out var read) && now - read < grace))
            .Select(m => m.Digest);
        return tags.Select(t => t.Value).Concat(replaced).Concat(recent);
    }

    private DateTimeOffset LastTouch(string digest, BlobLink link)
    {
        var stored = link.TouchedAt > link.LinkedAt ? link.TouchedAt : link.LinkedAt;
        return _touched.TryGetValue(digest, out var touched) && touched > stored ? touched : stored;
    }

    /// <summary>A read of a link: remembered, and persisted when the stored touch is an hour old (off the read's path).</summary>
    private void Touch(string digest, BlobLink link)
    {
        var now = _clock.GetUtcNow();
        _touched[digest] = now;
        if (now - (link.TouchedAt > link.LinkedAt ? link.TouchedAt : link.LinkedAt) >= TouchPersistInterval)
        {
            _ = PersistTouchAsync(digest, now);
        }
    }

    private async Task PersistTouchAsync(string digest, DateTimeOffset now)
    {
        try
        {
            await ExclusiveAsync(async () =>
            {
                if (await _blobs.GetAsync(digest) is { } current && now - current.TouchedAt >= TouchPersistInterval)
                {
                    await _blobs.SetAsync(digest, current with { TouchedAt = now });
                }

                return true;
            });
        }
        catch (Exception)
        {
            // The touch stays in memory; the next read after an hour tries again.
        }
    }

    /// <summary>A manifest's blobs were referenced at <paramref name="time"/> (pushed, or its push time when it is deleted).</summary>
    private void Referenced(ManifestRecord manifest, DateTimeOffset time)
    {
        foreach (var blob in manifest.Blobs)
        {
            if (!_touched.TryGetValue(blob, out var touched) || touched < time)
            {
                _touched[blob] = time;
            }
        }
    }
}
