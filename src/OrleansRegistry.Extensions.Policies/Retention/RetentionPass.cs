using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Core.References;
using OrleansRegistry.Extensions.Policies.Immutability;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>
/// One run of one retention rule over the repositories it governs, a repository at a time (retention is
/// not urgent, and each delete is a write). Each repository: its tags with push times and its manifests'
/// pull times, the keep decision, then (with <see cref="RetentionRule.RemoveUntagged"/>) the manifests the
/// removed tags leave untagged and the untagged ones nothing keeps. Deletes go through the registry's delete
/// path (<see cref="IManifestDeletes"/>) as the system actor <c>retention</c> with the reason, so write
/// policies, events, the audit log, quotas and webhooks see them as any delete; a refused delete is reported.
/// </summary>
public sealed class RetentionPass(
    IGrainFactory grains, IManifestDeletes deletes, ImmutabilityPolicy immutability, IOptions<PolicyOptions> options, TimeProvider clock,
    ILogger<RetentionPass> logger)
{
    public const int MaxItems = 1000;

    private static readonly EventActor Actor = new() { Kind = ActorKinds.System, Name = "retention" };

    /// <param name="rules">The rules the run was started with: a repository under a more specific rule than this one is that rule's.</param>
    public async Task<RetentionRun> RunAsync(RetentionRule rule, RuleSnapshot<RetentionRule> rules, string trigger, bool dryRun, CancellationToken cancellationToken)
    {
        var run = new RetentionTally(new RetentionRun { Id = Guid.NewGuid().ToString("N"), StartedAt = clock.GetUtcNow(), Trigger = trigger, DryRun = dryRun });
        try
        {
            await foreach (var repository in NamespaceRepositories.ListAsync(grains, rule.Pattern, cancellationToken))
            {
                if (Governing(rules, repository) == rule.Pattern)
                {
                    await RepositoryAsync(rule, repository, dryRun, run, cancellationToken);
                }
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            run.Error($"listing the repositories failed: {error.Message}");
        }

        var done = run.ToRun(clock.GetUtcNow());
        logger.LogInformation("retention {Id} of {Pattern} ({Trigger}{Dry}): {Repositories} repositories, {Kept} tags kept, {Tags} tags and {Manifests} manifests deleted, {Skipped} skipped, {Errors} errors",
            done.Id, rule.Pattern, trigger, dryRun ? ", dry run" : "", done.Repositories, done.TagsKept, done.TagsDeleted, done.ManifestsDeleted, done.Skipped, done.Errors.Length);
        return done;
    }

    /// <summary>The pattern of the most specific rule covering <paramref name="repository"/>.</summary>
    public static string? Governing(RuleSnapshot<RetentionRule> rules, string repository) =>
        rules.Covering(repository).MaxBy(r => NamespacePattern.Match(r.Pattern, repository))?.Pattern;

    private async Task RepositoryAsync(RetentionRule rule, string name, bool dryRun, RetentionTally run, CancellationToken cancellationToken)
    {
        try
        {
            var repository = grains.GetGrain<IRepositoryGrain>(name);
            var now = clock.GetUtcNow();
            var pulled = rule.KeepPulledWithinDays is null ? [] : await grains.GetGrain<IPullTimesGrain>(name).LastPulled();
            var decisions = RetentionDecision.Decide(rule, await repository.TagPushes(), pulled, tag => immutability.Protection(name, tag), now);
            var removing = decisions.Where(d => !d.Kept).ToArray();
            var untagged = rule.RemoveUntagged
                ? await repository.UntaggedAfter([.. removing.Select(d => d.Tag)], now - options.Value.RetentionUntaggedGrace)
                : [];
            var tags = new List<RetentionItem>();
            foreach (var tag in removing)
            {
                var item = new RetentionItem { Tag = tag.Tag, Digest = tag.Digest, Reason = tag.Reason, Outcome = RetentionOutcomes.WouldDelete };
                tags.Add(dryRun ? item : await DeleteAsync(item, () => deletes.DeleteTagAsync(name, tag.Tag, cancellationToken)));
            }

            var released = removing.Select(d => d.Digest).ToHashSet(StringComparer.Ordinal);
            var manifests = new List<RetentionItem>();
            foreach (var manifest in untagged)
            {
                var item = new RetentionItem
                {
                    Digest = manifest.Digest,
                    Reason = released.Contains(manifest.Digest)
                        ? $"retention rule of {rule.Pattern}: left untagged by the tags removed, and nothing keeps it"
                        : $"retention rule of {rule.Pattern}: untagged and unreferenced, pushed {manifest.PushedAt:O}",
                    Outcome = RetentionOutcomes.WouldDelete,
                };
                manifests.Add(dryRun ? item
                    : (await repository.TagsOf(manifest.Digest)).Length > 0 ? item with { Outcome = RetentionOutcomes.Tagged }
                    : await DeleteAsync(item, () => deletes.DeleteManifestAsync(name, manifest.Digest, cancellationToken)));
            }

            run.Repository(decisions.Length - removing.Length, new RetentionRemovals { Repository = name, Tags = [.. tags], Manifests = [.. manifests] });
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning(error, "retention: repository {Repository} was not done", name);
            run.Error($"repository {name}: {error.Message}");
        }
    }

    /// <summary>One delete, as the system actor with the item's reason in the events it makes.</summary>
    private static async Task<RetentionItem> DeleteAsync(RetentionItem item, Func<Task<DeleteResult>> delete)
    {
        RequestContext.Set(EventOrigin.ContextKey, new EventOrigin { Actor = Actor, Reason = item.Reason });
        var result = await delete();
        return item with
        {
            Outcome = result.Status switch
            {
                DeleteStatus.Deleted => RetentionOutcomes.Deleted,
                DeleteStatus.Refused => RetentionOutcomes.Refused,
                _ => RetentionOutcomes.Gone,
            },
            Detail = result.Refusal,
        };
    }
}
