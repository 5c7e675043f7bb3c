using OrleansRegistry.Grains.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Catalog;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Events;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>
/// Write order inside a repository, chosen so that a crash between two writes leaves nothing
/// that a reader could trust wrongly:
/// referrer entry → manifest record → tag history → tag (a dangling referrer entry is filtered on
/// read; a manifest without a tag is harmless and the client retries; a history entry without its
/// tag move keeps one more manifest from garbage collection, never one less); deleting goes the
/// other way: tags → history entries → manifest record → referrer entry.
/// A write returns once its events are in the event log, appended after the write's records are stored:
/// no event tells of a write that did not happen, and no acknowledged write is without its events. A
/// silo that dies between the two leaves a write its client was not told of, and retries (every retried
/// write yields its events again) or the next write say so.
/// Writes are serialized by <see cref="_writes"/>, not by the grain's turns (they are interleaving
/// calls): a write's records are stored under the gate, its events are then appended in write order by
/// <see cref="_log"/> outside it, so the next write does not wait for the previous one's append.
/// </summary>
public sealed partial class RepositoryGrain : Grain, IRepositoryGrain
{
    // Sized so one tag push in a repository of 20,000 tags rewrites a few KiB, not the whole map.
    internal const int TagBuckets = 256;
    internal const int ManifestBuckets = 1024;
    internal const int BlobBuckets = 1024;
    internal const int ReferrerBuckets = 256;
    internal const int HistoryBuckets = 256;

    private readonly IPersistentState<RepositoryMeta> _meta;
    private readonly EventLogOptions _events;
    private readonly EventMetrics _metrics;
    private readonly int _historyDepth;
    private readonly SemaphoreSlim _writes = new(1, 1);
    private TimeProvider _clock = TimeProvider.System;
    private GroupCommit<RegistryEvent> _log = null!;
    private bool _creationAnnounced;

    // Counted once per activation, when a delete first needs to know (for repository.empty).
    private long? _manifestCount;
    private BucketedMap<string> _tags = null!;
    private BucketedMap<ManifestRecord> _manifests = null!;
    private BucketedMap<BlobLink> _blobs = null!;
    private BucketedMap<List<ReferrerEntry>> _referrers = null!;

    public RepositoryGrain(
        [PersistentState("meta", GrainStorageNames.Registry)] IPersistentState<RepositoryMeta> meta,
        IOptions<EventLogOptions> events, IOptions<TagOptions> tags, EventMetrics metrics)
    {
        _meta = meta;
        _events = events.Value;
        _historyDepth = tags.Value.HistoryDepth;
        _metrics = metrics;
    }

    private string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Registry);
        _tags = new(storage, GrainContext.GrainId, "tags", TagBuckets);
        _manifests = new(storage, GrainContext.GrainId, "manifests", ManifestBuckets);
        _blobs = new(storage, GrainContext.GrainId, "blobs", BlobBuckets);
        _referrers = new(storage, GrainContext.GrainId, "referrers", ReferrerBuckets);
        _history = new(storage, GrainContext.GrainId, "history", HistoryBuckets);
        _clock = ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
        var partition = GrainFactory.GetGrain<IEventLogGrain>(EventPartitions.Of(Name));
        _log = new(events => partition.Append([.. events]));
        _creationAnnounced = _meta.State.CreationLogged;
        return Task.CompletedTask;
    }

    public Task<bool> Exists() => Task.FromResult(_meta.State.InCatalog);

    public async Task<BlobLink?> GetBlob(string digest)
    {
        var link = await _blobs.GetAsync(digest);
        if (link is null || _collecting.Contains(digest))
        {
            return null;
        }

        Touch(digest, link);
        return link;
    }

    public Task LinkBlob(string digest, long size, string location) => LinkAsync(EventActions.Upload, digest, size, location);

    public Task MountBlob(string digest, long size, string location) => LinkAsync(EventActions.Mount, digest, size, location);

    private async Task LinkAsync(string action, string digest, long size, string location)
    {
        var logged = await ExclusiveAsync(async () =>
        {
            // Linked already: nothing to write, but the event is sent again (a retry after a crash).
            var linked = await _blobs.ContainsAsync(digest);
            return await CommitAsync([new EventDraft(action, digest, Size: size)], registers: true, () => linked
                ? Task.CompletedTask
                : _blobs.SetAsync(digest, new BlobLink { Size = size, Location = location, LinkedAt = _clock.GetUtcNow() }));
        });
        await logged;
    }

    public async Task<bool> UnlinkBlob(string digest)
    {
        var logged = await ExclusiveAsync<Task?>(async () => await _blobs.GetAsync(digest) is { } link
            ? await CommitAsync([new EventDraft(EventActions.BlobDelete, digest, Size: link.Size)], registers: false, () => _blobs.RemoveAsync(digest))
            : null);
        await (logged ?? Task.CompletedTask);
        return logged is not null;
    }

    public async Task<PutManifestResult> PutManifest(ManifestRecord manifest, string? tag, bool requireChildManifests)
    {
        var (result, logged) = await ExclusiveAsync(() => StoreManifestAsync(manifest, tag, requireChildManifests));
        await logged;
        return result;
    }

    private async Task<(PutManifestResult, Task Logged)> StoreManifestAsync(ManifestRecord manifest, string? tag, bool requireChildManifests)
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
            return (new PutManifestResult { Status = PutManifestStatus.BlobUnknown, Missing = [.. missingBlobs] }, Task.CompletedTask);
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
                return (new PutManifestResult { Status = PutManifestStatus.ManifestUnknown, Missing = [.. missingChildren] }, Task.CompletedTask);
            }
        }

        var isNew = !await _manifests.ContainsAsync(manifest.Digest);
        var movesTag = tag is not null && await _tags.GetAsync(tag) != manifest.Digest;
        var logged = await CommitAsync([PushOf(manifest, tag)], registers: true, async () =>
        {
            if (manifest.Subject is { } subject)
            {
                await AddReferrerAsync(subject, manifest);
            }

            if (isNew)
            {
                await _manifests.SetAsync(manifest.Digest, manifest);
            }

            if (movesTag)
            {
                await MoveTagAsync(tag!, manifest.Digest);
            }
        });
        if (isNew)
        {
            _manifestCount++;
        }

        Referenced(manifest, _clock.GetUtcNow());
        return (new PutManifestResult { Status = PutManifestStatus.Stored }, logged);
    }

    public async Task<ManifestRecord?> GetManifest(string digest)
    {
        var manifest = await _manifests.GetAsync(digest);
        if (manifest is null || _collecting.Contains(digest))
        {
            return null;
        }

        _touched[digest] = _clock.GetUtcNow();
        return manifest;
    }

    public async Task<ManifestRecord?> ResolveTag(string tag)
    {
        var digest = await _tags.GetAsync(tag);
        return digest is null ? null : await _manifests.GetAsync(digest);
    }

    public async Task<string[]> TagsOf(string digest) =>
        [.. (await _tags.GetAllAsync()).Where(e => e.Value == digest).Select(e => e.Key).Order(StringComparer.Ordinal)];

    public async Task<bool> DeleteManifest(string digest)
    {
        var logged = await ExclusiveAsync(() => RemoveManifestAsync(digest));
        await (logged ?? Task.CompletedTask);
        return logged is not null;
    }

    /// <summary>The events' append, or null when there was no such manifest.</summary>
    private async Task<Task?> RemoveManifestAsync(string digest)
    {
        var manifest = await _manifests.GetAsync(digest);
        if (manifest is null)
        {
            return null;
        }

        var tags = await TagsOf(digest);
        _manifestCount ??= (await _manifests.GetAllAsync()).Count;
        var drafts = tags.Select(t => new EventDraft(EventActions.TagDelete, digest, manifest.MediaType, manifest.Size, t)).ToList();
        drafts.Add(new EventDraft(EventActions.Delete, digest, manifest.MediaType, manifest.Size));
        if (_manifestCount == 1)
        {
            drafts.Add(new EventDraft(EventActions.RepositoryEmpty));
        }

        var logged = await CommitAsync(drafts, registers: false, async () =>
        {
            foreach (var tag in tags)
            {
                await _tags.RemoveAsync(tag);
            }

            await ForgetInHistoriesAsync([digest]);
            await _manifests.RemoveAsync(digest);
            if (manifest.Subject is { } subject)
            {
                await RemoveReferrerAsync(subject, digest);
            }
        });
        _manifestCount--;
        Referenced(manifest, manifest.PushedAt);
        return logged;
    }

    public async Task<bool> DeleteTag(string tag)
    {
        var logged = await ExclusiveAsync<Task?>(async () =>
        {
            if (await _tags.GetAsync(tag) is not { } digest)
            {
                return null;
            }

            var manifest = await _manifests.GetAsync(digest);
            return await CommitAsync([new EventDraft(EventActions.TagDelete, digest, manifest?.MediaType, manifest?.Size ?? 0, tag)], registers: false,
                () => _tags.RemoveAsync(tag));
        });
        await (logged ?? Task.CompletedTask);
        return logged is not null;
    }

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

    /// <summary>Runs a write alone: no other write of this repository starts before it ends.</summary>
    private async Task<T> ExclusiveAsync<T>(Func<Task<T>> write)
    {
        await _writes.WaitAsync();
        try
        {
            return await write();
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>
    /// Runs the write (under <see cref="ExclusiveAsync"/>), then queues its events for the repository's
    /// log partition and returns the append, which the caller awaits outside the gate before it answers:
    /// a failed append fails the call, and the client's retry sends the events again. With
    /// <paramref name="registers"/>, the repository's first write registers it in the catalog before any
    /// of its records is stored, and its events begin with <see cref="EventActions.RepositoryCreate"/>.
    /// </summary>
    private async Task<Task> CommitAsync(List<EventDraft> drafts, bool registers, Func<Task> write)
    {
        if (registers)
        {
            await EnsureRegisteredAsync();
        }

        await write();
        if (!_events.Enabled)
        {
            return Task.CompletedTask;
        }

        var announce = registers && !_creationAnnounced;
        if (announce)
        {
            drafts.Insert(0, new EventDraft(EventActions.RepositoryCreate));
            _creationAnnounced = true;
        }

        return LogAsync(RepositoryEvents.Stamp(Name, drafts, _clock.GetUtcNow()), announce);
    }

    private async Task LogAsync(RegistryEvent[] events, bool announce)
    {
        try
        {
            await _log.Add(events);
        }
        catch
        {
            // Announced again by the next write (or this one's retry).
            _creationAnnounced &= !announce;
            throw;
        }

        _metrics.Written(events.Length);
        if (announce)
        {
            // Once per repository; a crash before this write announces it once more.
            await ExclusiveAsync(async () =>
            {
                await _meta.ReplaceAsync(new RepositoryMeta { CreatedAt = _meta.State.CreatedAt, InCatalog = true, CreationLogged = true });
                return true;
            });
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
        await _meta.ReplaceAsync(new RepositoryMeta { CreatedAt = _clock.GetUtcNow(), InCatalog = true });
    }
}
