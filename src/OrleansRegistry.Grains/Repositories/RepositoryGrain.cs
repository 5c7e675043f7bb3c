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
/// referrer entry → manifest record → tag (a dangling referrer entry is filtered on read; a
/// manifest without a tag is harmless and the client retries); deleting goes the other way:
/// tags → manifest record → referrer entry.
/// Every write is recorded with its events (<see cref="RepositoryOutbox"/>): the meta record takes the
/// events as an intent before the write's own records, and the write returns once they are in the event
/// log, so no acknowledged write is without its events; an activation drops the intent of a write that a
/// crash cut off before it was stored, and hands the rest to the log.
/// </summary>
public sealed class RepositoryGrain : Grain, IRepositoryGrain
{
    // Sized so one tag push in a repository of 20,000 tags rewrites a few KiB, not the whole map.
    internal const int TagBuckets = 256;
    internal const int ManifestBuckets = 1024;
    internal const int BlobBuckets = 1024;
    internal const int ReferrerBuckets = 256;

    private readonly IPersistentState<RepositoryMeta> _meta;
    private readonly EventLogOptions _events;
    private readonly EventMetrics _metrics;
    private RepositoryOutbox _outbox = null!;
    private IGrainTimer _relay = null!;
    private BucketedMap<string> _tags = null!;
    private BucketedMap<ManifestRecord> _manifests = null!;
    private BucketedMap<BlobLink> _blobs = null!;
    private BucketedMap<List<ReferrerEntry>> _referrers = null!;

    public RepositoryGrain(
        [PersistentState("meta", GrainStorageNames.Registry)] IPersistentState<RepositoryMeta> meta,
        IOptions<EventLogOptions> events, EventMetrics metrics)
    {
        _meta = meta;
        _events = events.Value;
        _metrics = metrics;
    }

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Registry);
        _tags = new(storage, GrainContext.GrainId, "tags", TagBuckets);
        _manifests = new(storage, GrainContext.GrainId, "manifests", ManifestBuckets);
        _blobs = new(storage, GrainContext.GrainId, "blobs", BlobBuckets);
        _referrers = new(storage, GrainContext.GrainId, "referrers", ReferrerBuckets);
        _outbox = new RepositoryOutbox(Name, ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System);
        _outbox.Load(_meta.State.Outbox);
        _relay = this.RegisterGrainTimer(RelayAsync, new GrainTimerCreationOptions
        {
            DueTime = Timeout.InfiniteTimeSpan,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = true,
        });
        await RecoverAsync();
        RelaySoon();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Best effort: what is not handed over or trimmed on disk now is after the next activation.
        try
        {
            await RelayAsync(cancellationToken);
            if (_outbox.Trimmed)
            {
                await WriteMetaAsync();
            }
        }
        catch (Exception)
        {
            // Storage or the log is unreachable: the outbox on disk still holds every undelivered event.
        }
    }

    public Task<bool> Exists() => Task.FromResult(_meta.State.InCatalog);

    public async Task<BlobLink?> GetBlob(string digest) => await _blobs.GetAsync(digest);

    public Task LinkBlob(string digest, long size, string location) => LinkAsync(EventActions.Upload, digest, size, location);

    public Task MountBlob(string digest, long size, string location) => LinkAsync(EventActions.Mount, digest, size, location);

    private async Task LinkAsync(string action, string digest, long size, string location)
    {
        if (await _blobs.ContainsAsync(digest))
        {
            return;
        }

        await CommitAsync([new EventDraft(action, digest, Size: size)], registers: true,
            () => _blobs.SetAsync(digest, new BlobLink { Size = size, Location = location, LinkedAt = DateTimeOffset.UtcNow }));
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

        var isNew = !await _manifests.ContainsAsync(manifest.Digest);
        var movesTag = tag is not null && await _tags.GetAsync(tag) != manifest.Digest;
        var push = new EventDraft(EventActions.Push, manifest.Digest, manifest.MediaType, manifest.Size, tag, ManifestDelta: isNew ? 1 : 0);
        await CommitAsync([push], registers: true, async () =>
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
                await _tags.SetAsync(tag!, manifest.Digest);
            }
        });

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

        var tags = (await _tags.GetAllAsync()).Where(e => e.Value == digest).Select(e => e.Key).ToList();
        await CountManifestsAsync();
        var drafts = tags.Select(t => new EventDraft(EventActions.TagDelete, digest, manifest.MediaType, manifest.Size, t)).ToList();
        drafts.Add(new EventDraft(EventActions.Delete, digest, manifest.MediaType, manifest.Size, ManifestDelta: -1));
        if (_meta.State.ManifestCount == 1)
        {
            drafts.Add(new EventDraft(EventActions.RepositoryEmpty));
        }

        await CommitAsync(drafts, registers: false, async () =>
        {
            foreach (var tag in tags)
            {
                await _tags.RemoveAsync(tag);
            }

            await _manifests.RemoveAsync(digest);
            if (manifest.Subject is { } subject)
            {
                await RemoveReferrerAsync(subject, digest);
            }
        });

        return true;
    }

    public async Task<bool> DeleteTag(string tag)
    {
        if (await _tags.GetAsync(tag) is not { } digest)
        {
            return false;
        }

        var manifest = await _manifests.GetAsync(digest);
        await CommitAsync([new EventDraft(EventActions.TagDelete, digest, manifest?.MediaType, manifest?.Size ?? 0, tag)], registers: false,
            () => _tags.RemoveAsync(tag));
        return true;
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

    /// <summary>
    /// Records <paramref name="drafts"/> as an intent in the meta record, then runs the write; the events
    /// are confirmed (and handed to the log soon after) once it is stored, dropped when it fails. With
    /// <paramref name="registers"/>, a repository's first write registers it in the catalog (before any of
    /// its records is stored) and says so in a <see cref="EventActions.RepositoryCreate"/> event.
    /// </summary>
    private async Task CommitAsync(List<EventDraft> drafts, bool registers, Func<Task> write)
    {
        var registering = registers && !_meta.State.InCatalog;
        if (registering)
        {
            await GrainFactory.GetGrain<ICatalogGrain>(GrainKeys.Catalog).Add(Name);
            drafts.Insert(0, new EventDraft(EventActions.RepositoryCreate));
        }

        if (!_events.Enabled)
        {
            // Without events the meta record changes only to register, and stops counting manifests.
            if (registering || _meta.State.CountsManifests)
            {
                await WriteMetaAsync(meta => Register(meta, registering, counts: false));
            }

            await write();
            return;
        }

        var sequence = _meta.State.Sequence;
        var staged = _outbox.Stage(drafts, ref sequence);
        var delta = drafts.Sum(d => d.ManifestDelta);
        try
        {
            await WriteMetaAsync(meta =>
            {
                Register(meta, registering, counts: meta.CountsManifests || registering);
                meta.Sequence = sequence;
                meta.ManifestCount += delta;
            });
        }
        catch
        {
            _outbox.Drop(staged);
            throw;
        }

        try
        {
            await write();
        }
        catch
        {
            _outbox.Drop(staged);
            _meta.State.ManifestCount -= delta;
            throw;
        }

        _outbox.Confirm(staged);
        _metrics.Written(staged.Count);

        // In the log before the write is acknowledged: any silo delivers it from there, whatever becomes of
        // this one. When the log cannot take it now, the outbox keeps it and the relay timer tries again.
        await RelayAsync(CancellationToken.None);
    }

    private static void Register(RepositoryMeta meta, bool registering, bool counts)
    {
        if (registering)
        {
            meta.InCatalog = true;
            meta.CreatedAt = DateTimeOffset.UtcNow;
        }

        meta.CountsManifests = counts;
    }

    /// <summary>Writes the meta record as it is, with the outbox as it is now, after <paramref name="change"/>.</summary>
    private async Task WriteMetaAsync(Action<RepositoryMeta>? change = null)
    {
        var current = _meta.State;
        var next = new RepositoryMeta
        {
            CreatedAt = current.CreatedAt,
            InCatalog = current.InCatalog,
            Sequence = current.Sequence,
            ManifestCount = current.ManifestCount,
            CountsManifests = current.CountsManifests,
            Outbox = [.. _outbox.Snapshot()],
        };
        change?.Invoke(next);
        await _meta.ReplaceAsync(next);
        _outbox.Persisted();
    }

    /// <summary>Repositories of earlier builds are counted once, the first time a delete needs to know.</summary>
    private async Task CountManifestsAsync()
    {
        if (!_meta.State.CountsManifests && _events.Enabled)
        {
            _meta.State.ManifestCount = (await _manifests.GetAllAsync()).Count;
            _meta.State.CountsManifests = true;
        }
    }

    /// <summary>
    /// The unconfirmed entries of a silo that died: all of one write (writes are one at a time), whose
    /// records may or may not have been stored. Each is kept if what it says is now true, dropped if not.
    /// </summary>
    private async Task RecoverAsync()
    {
        var pending = _outbox.Snapshot().Where(e => !e.Confirmed).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var happened = new List<OutboxEntry>();
        var deleted = false;
        foreach (var entry in pending)
        {
            var e = entry.Event;
            var done = e.Action switch
            {
                EventActions.Push when e.Tag is not null => await _tags.GetAsync(e.Tag) == e.Digest,
                EventActions.Push => await _manifests.ContainsAsync(e.Digest!),
                EventActions.Delete => !await _manifests.ContainsAsync(e.Digest!),
                EventActions.TagDelete => await _tags.GetAsync(e.Tag!) != e.Digest,
                EventActions.Upload or EventActions.Mount => await _blobs.ContainsAsync(e.Digest!),
                EventActions.RepositoryEmpty => deleted,
                _ => true,
            };
            deleted |= done && e.Action == EventActions.Delete;
            if (done)
            {
                happened.Add(entry);
            }
        }

        var lost = pending.Except(happened).ToList();
        _outbox.Confirm(happened);
        _outbox.Drop(lost);
        await WriteMetaAsync(meta => meta.ManifestCount -= lost.Sum(e => e.ManifestDelta));
    }

    private void RelaySoon()
    {
        if (_outbox.Ready().Count > 0)
        {
            _relay.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Hands the confirmed events to the log; on failure the interleaved timer tries again every second.</summary>
    private async Task RelayAsync(CancellationToken cancellationToken)
    {
        var ready = _outbox.Ready();
        if (ready.Count == 0)
        {
            return;
        }

        try
        {
            await GrainFactory.GetGrain<IEventLogGrain>(EventPartitions.Of(Name)).Append([.. ready.Select(e => e.Event)]);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _relay.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
            return;
        }

        _outbox.HandedOver(ready);
        RelaySoon();
    }
}
