using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Contracts.Catalog;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Core.References;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>
/// One garbage collection pass, online (pushes and pulls go on):
/// <list type="number">
/// <item>every repository collects itself (<see cref="IRepositoryGrain.Collect"/>): untagged manifests
/// where the namespace says so, then blob links nothing kept references and nobody touched for the grace
/// period;</item>
/// <item>every stored copy the storage lists goes to its digest's blob index
/// (<see cref="IBlobGrain.Collect"/>), which drops repositories that no longer hold it and deletes bytes
/// no repository held for the grace period, and copies that are not the registered one.</item>
/// </list>
/// The first pass of a registry also fills the blob index with the manifests stored before it had them,
/// and sweeps only when that went through everywhere (an unregistered manifest would look orphaned).
/// Deletions are events (<c>delete</c>, <c>blob.delete</c>, <c>blob.collect</c>) with their reason,
/// so the audit log and webhooks see them.
/// </summary>
public sealed class GcPass(
    IGrainFactory grains, IBlobStore store, IOptions<GcOptions> options, GcMetrics metrics, TimeProvider clock, IEnumerable<IAuditTrail> audit, ILogger<GcPass> logger)
{
    public const int MaxItems = 1000;
    private const int CatalogPage = 1000;

    private static readonly EventOrigin Origin = new() { Actor = new EventActor { Kind = ActorKinds.System, Name = "gc" } };

    private GcOptions Options => options.Value;

    public async Task<GcRun> RunAsync(string trigger, bool dryRun, bool backfill, CancellationToken cancellationToken)
    {
        var started = new GcRun { Id = Guid.NewGuid().ToString("N"), StartedAt = clock.GetUtcNow(), Trigger = trigger, DryRun = dryRun };
        var tally = new GcTally();
        RequestContext.Set(EventOrigin.ContextKey, Origin);
        var policy = new CollectionPolicy { Grace = Options.Grace, DryRun = dryRun };
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.Parallelism), CancellationToken = cancellationToken };
        await EachAsync("listing the repositories", RepositoriesAsync(cancellationToken), parallel, tally,
            repository => CollectRepositoryAsync(repository, policy, backfill, tally));
        if (backfill && tally.HasErrors)
        {
            tally.Error("stored blobs were not swept: the blob index of manifests is not complete yet (the next run tries again)");
        }
        else
        {
            await EachAsync("listing the stored blobs", store.ListContentAsync(cancellationToken), parallel, tally,
                copy => CollectStoredAsync(copy, policy, tally));
        }

        var run = tally.ToRun(started, clock.GetUtcNow());
        metrics.Completed(run);
        logger.LogInformation(
            "gc {Id} ({Trigger}{Dry}): {Repositories} repositories, {Manifests} manifests deleted, {Unlinked} blob links removed, {Blobs} blobs and {Orphans} orphaned copies deleted, {Bytes} bytes reclaimed, {Errors} errors, {Seconds:F1} s",
            run.Id, trigger, dryRun ? ", dry run" : "", run.Repositories, run.ManifestsDeleted, run.BlobsUnlinked, run.BlobsDeleted, run.OrphansDeleted,
            run.BytesReclaimed, run.Errors.Length, run.DurationSeconds);
        return run;
    }

    /// <summary>Runs <paramref name="work"/> on each item, some at once; a listing that fails ends the phase with an error.</summary>
    private static async Task EachAsync<T>(string listing, IAsyncEnumerable<T> items, ParallelOptions parallel, GcTally tally, Func<T, Task> work)
    {
        try
        {
            await Parallel.ForEachAsync(items, parallel, (item, _) => new ValueTask(work(item)));
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            tally.Error($"{listing} failed: {error.Message}");
        }
    }

    private async Task CollectRepositoryAsync(string repository, CollectionPolicy policy, bool backfill, GcTally tally)
    {
        try
        {
            var removeUntagged = Options.UntaggedNamespaces.Any(pattern => NamespacePattern.Covers(pattern, repository));
            var collection = await grains.GetGrain<IRepositoryGrain>(repository).Collect(policy with { RemoveUntagged = removeUntagged }, backfill);
            tally.Repository();
            foreach (var manifest in collection.DeletedManifests)
            {
                tally.Add(new GcItem { Kind = GcItemKinds.Manifest, Repository = repository, Digest = manifest.Digest, Size = manifest.Size, Reason = manifest.Reason });
            }

            foreach (var blob in collection.UnlinkedBlobs)
            {
                tally.Add(new GcItem { Kind = GcItemKinds.BlobLink, Repository = repository, Digest = blob.Digest, Size = blob.Size, Reason = blob.Reason });
            }

            if (!policy.DryRun)
            {
                // The sweep would find these too (the repository no longer holds them); this starts their grace now.
                foreach (var gone in collection.DeletedManifests.Concat(collection.UnlinkedBlobs))
                {
                    await grains.GetGrain<IBlobGrain>(gone.Digest).RemoveRepository(repository);
                }
            }

            foreach (var manifest in collection.HeldManifests)
            {
                await grains.GetGrain<IBlobGrain>(manifest.Digest).RegisterFor(repository, manifest.Location, manifest.Size);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "gc: repository {Repository} was not collected", repository);
            tally.Error($"repository {repository}: {error.Message}");
        }
    }

    private async Task CollectStoredAsync(StoredContent content, CollectionPolicy policy, GcTally tally)
    {
        tally.Seen();
        try
        {
            var copy = new StoredCopy { Location = content.Location.Value, Length = content.Length, LastModified = content.LastModified };
            var result = await grains.GetGrain<IBlobGrain>(content.Digest).Collect(copy, policy);
            if (result.Outcome != BlobCollectionOutcome.Kept)
            {
                var kind = result.Outcome == BlobCollectionOutcome.Deleted ? GcItemKinds.Blob : GcItemKinds.Orphan;
                tally.Add(new GcItem { Kind = kind, Digest = content.Digest, Size = content.Length, Reason = result.Reason });
                if (!result.Logged && !policy.DryRun)
                {
                    // No repository held it (an orphaned copy), so no repository's event tells of it.
                    foreach (var trail in audit)
                    {
                        trail.RecordSystemAction(Origin.Actor.Name!, EventActions.BlobCollect, null, content.Digest, $"{result.Reason}; {content.Length} bytes at {content.Location}");
                    }
                }
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "gc: stored blob {Digest} at {Location} was not collected", content.Digest, content.Location);
            tally.Error($"blob {content.Digest}: {error.Message}");
        }
    }

    private async IAsyncEnumerable<string> RepositoriesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var catalog = grains.GetGrain<ICatalogGrain>(GrainKeys.Catalog);
        string? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await catalog.List(last, CatalogPage);
            foreach (var repository in page.Tags)
            {
                yield return repository;
            }

            if (!page.HasMore || page.Tags.Count == 0)
            {
                yield break;
            }

            last = page.Tags[^1];
        }
    }
}
