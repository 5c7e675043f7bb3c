using Microsoft.Extensions.DependencyInjection;
using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Grains.Blobs;

/// <summary>
/// The blob index of one digest. Its calls are not interleaved, so a collection that deletes the bytes
/// and a registration or mount that would keep them never overlap: whichever comes first decides, and
/// the bytes are deleted only after the state says so (a crash in between leaves an orphan for the
/// next collection, never an index entry naming deleted bytes).
/// </summary>
public sealed class BlobGrain(
    [PersistentState("blob", GrainStorageNames.Registry)] IPersistentState<BlobState> state)
    : Grain, IBlobGrain
{
    /// <summary>
    /// A repository is added before it links the digest (milliseconds before), so one that does not
    /// hold it may be about to: it is dropped only once it was last added this long ago (and, by a
    /// collection, the grace period ago).
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    /// <summary>A repository added again within this time is not written again (its protection then lasts at least <see cref="Settle"/> less this).</summary>
    private static readonly TimeSpan ReAddResolution = TimeSpan.FromSeconds(1);

    // When this activation last asked its repositories whether they still hold the digest.
    private DateTimeOffset? _verifiedAt;

    private IBlobStore Store => ServiceProvider.GetRequiredService<IBlobStore>();

    private TimeProvider Clock => ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;

    private string Digest => this.GetPrimaryKeyString();

    public Task<BlobInfo?> Get() => Task.FromResult(Snapshot());

    public async Task<BlobInfo> Register(string location, long size)
    {
        await RecordAsync(null, location, size);
        return Snapshot()!;
    }

    public async Task<BlobInfo> RegisterFor(string repository, string location, long size)
    {
        await RecordAsync(repository, location, size);
        return Snapshot()!;
    }

    public async Task<BlobInfo?> RegisterIfStored(string repository, string location, long size)
    {
        if (state.State.Location is null && state.State.Collected
            && await Store.GetLengthAsync(new BlobLocation(location), CancellationToken.None) != size)
        {
            return null;
        }

        return await RegisterFor(repository, location, size);
    }

    public Task AddRepository(string repository) => RecordAsync(repository, null, 0);

    public async Task<BlobInfo?> Link(string repository)
    {
        if (state.State.Location is null)
        {
            return null;
        }

        await RecordAsync(repository, null, 0);
        return Snapshot();
    }

    /// <summary>
    /// After the repository dropped its link or manifest. A repository added again a moment ago (a link
    /// in flight) stays: a later collection drops it once it is settled and still does not hold the digest.
    /// </summary>
    public async Task RemoveRepository(string repository)
    {
        if (state.State.Repositories.Contains(repository) && IsSettled(repository, Settle))
        {
            Drop([repository]);
            await state.WriteStateAsync();
            await RegisterCandidateIfUnheldAsync();
        }
    }

    public async Task<BlobCollection> Collect(StoredCopy copy, CollectionPolicy policy)
    {
        var now = Clock.GetUtcNow();

        // A repository that let go without telling (a crash, a removal that came too soon) only delays a
        // deletion, so asking them once per grace period is enough: most passes cost one call per blob.
        // A dry run always asks (it is rare, and should say what a verified run would do).
        var verify = policy.DryRun || _verifiedAt is not { } verified || now - verified >= policy.Grace;
        var stale = verify ? await StaleRepositoriesAsync(policy.Grace > Settle ? policy.Grace : Settle) : [];
        _verifiedAt = verify && !policy.DryRun ? now : _verifiedAt;
        if (!policy.DryRun && stale.Count > 0)
        {
            Drop(stale);
            await state.WriteStateAsync();
            await RegisterCandidateIfUnheldAsync();
        }

        var holders = state.State.Repositories.Count - (policy.DryRun ? stale.Count : 0);
        if (copy.Location != state.State.Location)
        {
            return now - copy.LastModified < policy.Grace
                ? Kept("an unregistered copy within the grace period")
                : await DeleteCopyAsync(copy, policy, BlobCollectionOutcome.OrphanDeleted,
                    $"gc: a copy that is not the registered one (redundant or left by a crash), written {copy.LastModified:O}");
        }

        if (holders > 0)
        {
            return new BlobCollection { Outcome = BlobCollectionOutcome.Kept, Reason = "held by a repository", Held = true };
        }

        var since = state.State.UnreferencedSince ?? now;
        if (state.State.UnreferencedSince is null && !policy.DryRun)
        {
            // Content from before garbage collection existed: its grace period starts now.
            state.State.UnreferencedSince = now;
            await state.WriteStateAsync();
            await RegisterCandidateIfUnheldAsync();
        }

        return now - since < policy.Grace
            ? Kept("no repository holds it, within the grace period")
            : await DeleteCopyAsync(copy, policy, BlobCollectionOutcome.Deleted, $"gc: no repository holds it since {since:O}");
    }

    public Task<BlobCollection> CollectRegistered(CollectionPolicy policy) =>
        state.State.Location is { } location
            ? Collect(new StoredCopy { Location = location, Length = state.State.Size, LastModified = DateTimeOffset.MinValue }, policy)
            : Task.FromResult(new BlobCollection { Outcome = BlobCollectionOutcome.Gone, Reason = "no stored bytes" });

    private Task RegisterCandidateIfUnheldAsync() => state.State.Repositories.Count == 0 && state.State.Location is not null
        ? GrainFactory.GetGrain<IGcCandidatesGrain>(IGcCandidatesGrain.Key).Add(Digest)
        : Task.CompletedTask;

    /// <summary>The state first (no registered location, collected), then the bytes.</summary>
    private async Task<BlobCollection> DeleteCopyAsync(StoredCopy copy, CollectionPolicy policy, BlobCollectionOutcome outcome, string reason)
    {
        if (policy.DryRun)
        {
            return new BlobCollection { Outcome = outcome, Reason = reason, Size = copy.Length };
        }

        var registered = outcome == BlobCollectionOutcome.Deleted;
        if (registered || !state.State.Collected)
        {
            state.State.Collected = true;
            if (registered)
            {
                (state.State.Location, state.State.Size) = (null, 0);
            }

            await state.WriteStateAsync();
        }

        await Store.DeleteAsync(new BlobLocation(copy.Location), CancellationToken.None);
        if (registered && state.State.LastRepository is { } repository)
        {
            var collected = RepositoryEvents.Stamp(repository,
                [new EventDraft(EventActions.BlobCollect, Digest, Size: copy.Length, Reason: reason)], Clock.GetUtcNow());
            await GrainFactory.GetGrain<IEventLogGrain>(EventPartitions.Of(repository)).Append(collected);
            return new BlobCollection { Outcome = outcome, Reason = reason, Logged = true, Size = copy.Length };
        }

        return new BlobCollection { Outcome = outcome, Reason = reason, Size = copy.Length };
    }

    /// <summary>Settled repositories named here that hold neither a link nor a manifest of this digest (left by a delete or a crash).</summary>
    private async Task<List<string>> StaleRepositoriesAsync(TimeSpan settle)
    {
        var stale = new List<string>();
        foreach (var repository in state.State.Repositories.Where(r => IsSettled(r, settle)).ToList())
        {
            if (!await GrainFactory.GetGrain<IRepositoryGrain>(repository).Holds(Digest))
            {
                stale.Add(repository);
            }
        }

        return stale;
    }

    private bool IsSettled(string repository, TimeSpan settle) =>
        !state.State.AddedAt.TryGetValue(repository, out var added) || Clock.GetUtcNow() - added >= settle;

    /// <summary>Drops repositories; the last one out starts the grace period.</summary>
    private void Drop(List<string> repositories)
    {
        foreach (var repository in repositories)
        {
            state.State.Repositories.Remove(repository);
            state.State.AddedAt.Remove(repository);
        }

        if (state.State.Repositories.Count == 0)
        {
            state.State.UnreferencedSince = Clock.GetUtcNow();
            state.State.LastRepository = repositories[^1];
        }
    }

    private static BlobCollection Kept(string reason) => new() { Outcome = BlobCollectionOutcome.Kept, Reason = reason };

    /// <summary>
    /// Records the location (the first one wins) and a holding repository (with the time it was added),
    /// whichever is new, in one state write; a repository added again is written again only after
    /// <see cref="ReAddResolution"/>. Rolled back in memory when the write fails.
    /// </summary>
    private async Task RecordAsync(string? repository, string? location, long size)
    {
        var now = Clock.GetUtcNow();
        var registers = location is not null && state.State.Location is null;
        var readds = repository is not null
            && (!state.State.AddedAt.TryGetValue(repository, out var added) || now - added >= ReAddResolution);
        if (!registers && !readds)
        {
            return;
        }

        var before = (state.State.Location, state.State.Size, state.State.UnreferencedSince,
            Repositories: new HashSet<string>(state.State.Repositories, StringComparer.Ordinal),
            AddedAt: new Dictionary<string, DateTimeOffset>(state.State.AddedAt, StringComparer.Ordinal));
        if (registers)
        {
            (state.State.Location, state.State.Size) = (location, size);
        }

        if (repository is not null)
        {
            state.State.Repositories.Add(repository);
            state.State.AddedAt[repository] = now;
            state.State.UnreferencedSince = null;
        }

        await WriteOrRollBackAsync(() =>
        {
            (state.State.Location, state.State.Size, state.State.UnreferencedSince) = (before.Location, before.Size, before.UnreferencedSince);
            (state.State.Repositories, state.State.AddedAt) = (before.Repositories, before.AddedAt);
        });
    }

    private async Task WriteOrRollBackAsync(Action rollBack)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            rollBack();
            throw;
        }
    }

    private BlobInfo? Snapshot() => state.State.Location is null
        ? null
        : new BlobInfo { Location = state.State.Location, Size = state.State.Size, Repositories = [.. state.State.Repositories] };
}
