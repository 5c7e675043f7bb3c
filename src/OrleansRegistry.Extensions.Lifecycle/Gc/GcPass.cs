using System.Collections.Concurrent;
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
/// <item>every candidate (<see cref="IGcCandidatesGrain"/>: a blob whose last repository went) goes to its
/// digest's blob index, which deletes bytes no repository held for the grace period; once per grace
/// period instead every stored copy the storage lists does (<see cref="IBlobGrain.Collect"/>), which
/// also drops repositories that no longer hold a digest and deletes copies that are not the
/// registered one.</item>
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

    /// <param name="fullSweep">Go through the whole storage listing (orphans, and what the candidate set missed); else only the candidates.</param>
    public async Task<GcRun> RunAsync(string trigger, bool dryRun, bool backfill, bool fullSweep, CancellationToken cancellationToken)
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
            var settled = new ConcurrentBag<string>();
            var candidates = grains.GetGrain<IGcCandidatesGrain>(IGcCandidatesGrain.Key);
            if (fullSweep)
            {
                await EachAsync("listing the stored blobs", store.ListContentAsync(cancellationToken), parallel, tally,
                    content => CollectStoredAsync(content.Digest, content, policy, tally, settled));
            }
            else
            {
                await EachAsync("listing the candidates", (await candidates.List()).ToAsyncEnumerable(), parallel, tally,
                    digest => CollectStoredAsync(digest, null, policy, tally, settled));
            }

            if (!policy.DryRun && !settled.IsEmpty)
            {
                await candidates.Remove([.. settled]);
            }
        }

        tally.FullSweep(fullSweep && !(backfill && tally.HasErrors));

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

    /// <summary>One stored copy as the listing shows it, or (<paramref name="content"/> null) a candidate's registered copy.</summary>
    private async Task CollectStoredAsync(string digest, StoredContent? content, CollectionPolicy policy, GcTally tally, ConcurrentBag<string> settled)
    {
        tally.Seen();
        try
        {
            var index = grains.GetGrain<IBlobGrain>(digest);
            var result = content is { } listed
                ? await index.Collect(new StoredCopy { Location = listed.Location.Value, Length = listed.Length, LastModified = listed.LastModified }, policy)
                : await index.CollectRegistered(policy);
            if (result.Settled)
            {
                settled.Add(digest);
            }

            if (result.Outcome is BlobCollectionOutcome.Deleted or BlobCollectionOutcome.OrphanDeleted)
            {
                var kind = result.Outcome == BlobCollectionOutcome.Deleted ? GcItemKinds.Blob : GcItemKinds.Orphan;
                tally.Add(new GcItem { Kind = kind, Digest = digest, Size = result.Size, Reason = result.Reason });
                if (!result.Logged && !policy.DryRun)
                {
                    // No repository held it (an orphaned copy), so no repository's event tells of it.
                    foreach (var trail in audit)
                    {
                        trail.RecordSystemAction(Origin.Actor.Name!, EventActions.BlobCollect, null, digest,
                            $"{result.Reason}; {result.Size} bytes{(content is { } at ? $" at {at.Location}" : "")}");
                    }
                }
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "gc: stored blob {Digest} was not collected", digest);
            tally.Error($"blob {digest}: {error.Message}");
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
