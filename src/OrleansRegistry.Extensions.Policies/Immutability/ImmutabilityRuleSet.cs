using OrleansRegistry.Contracts.Policies;
using OrleansRegistry.Core.References;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>
/// The decisions over one snapshot of the rules (pure). Rules of every namespace pattern that covers
/// a repository add up, as grants do: a tag is immutable when a glob of any of them matches it. A
/// write is refused when it would move such a tag to another manifest or remove it; creating it, and
/// pushing the digest it names again, are allowed.
/// </summary>
public sealed class ImmutabilityRuleSet(RuleSnapshot<ImmutabilityRule> snapshot)
{
    public bool Governs(string repository) => snapshot.Covering(repository).Any();

    public WriteDecision Decide(WriteRequest write)
    {
        foreach (var change in write.Tags)
        {
            if (change.ChangesExisting && Protection(write.Repository, change.Tag) is { } rule)
            {
                return WriteDecision.Deny(Refusal(write, change, rule));
            }
        }

        return WriteDecision.Allowed;
    }

    /// <summary>What makes <paramref name="tag"/> of <paramref name="repository"/> immutable (<c>rule of team/*: v*</c>), or null when nothing does.</summary>
    public string? Protection(string repository, string tag) =>
        Protecting(repository, tag) is var (rule, glob) ? $"rule of {rule.Pattern}: {glob}" : null;

    /// <summary>The rule that makes <paramref name="tag"/> immutable, the most specific pattern first, and the glob that matched.</summary>
    private (ImmutabilityRule Rule, string Glob)? Protecting(string repository, string tag)
    {
        (ImmutabilityRule Rule, string Glob)? best = null;
        var bestSpecificity = -1;
        foreach (var rule in snapshot.Rules)
        {
            var specificity = NamespacePattern.Match(rule.Pattern, repository);
            if (specificity > bestSpecificity && rule.Tags.FirstOrDefault(g => TagGlob.Matches(g, tag)) is { } glob)
            {
                (best, bestSpecificity) = ((rule, glob), specificity);
            }
        }

        return best;
    }

    private static string Refusal(WriteRequest write, TagChange change, string rule) => write.Action switch
    {
        WriteAction.DeleteManifest => $"manifest {write.Digest} is tagged '{change.Tag}', which is immutable ({rule}): it cannot be deleted",
        WriteAction.DeleteTag => $"tag '{change.Tag}' is immutable ({rule}): it cannot be deleted",
        _ => $"tag '{change.Tag}' is immutable ({rule}): it names {change.Current} and cannot be moved",
    };
}
