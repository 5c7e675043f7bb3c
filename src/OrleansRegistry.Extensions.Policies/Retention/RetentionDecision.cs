using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>One tag's fate in a run: kept, saying by what, or removed, saying why no keep rule kept it.</summary>
public sealed record TagDecision(string Tag, string Digest, bool Kept, string Reason);

/// <summary>
/// Which tags of a repository a rule keeps (pure). A tag stays when any keep rule keeps it: among the N most
/// recently pushed (ties broken by name), pushed within D days, its manifest pulled within D days, matching a
/// glob; an immutable tag always stays, and without a keep rule every tag stays.
/// </summary>
public static class RetentionDecision
{
    /// <param name="pulledAt">When each manifest (by digest) was last pulled, as far as known.</param>
    /// <param name="immutability">What makes a tag immutable (<c>rule of team/*: v*</c>), or null.</param>
    public static TagDecision[] Decide(
        RetentionRule rule, IEnumerable<TagPush> tags, IReadOnlyDictionary<string, DateTimeOffset> pulledAt, Func<string, string?> immutability, DateTimeOffset now)
    {
        var newestFirst = tags.OrderByDescending(t => t.PushedAt).ThenBy(t => t.Tag, StringComparer.Ordinal);
        return [.. newestFirst.Select((tag, rank) => Decide(rule, tag, rank + 1, pulledAt.TryGetValue(tag.Digest, out var pulled) ? pulled : null, immutability(tag.Tag), now))];
    }

    private static TagDecision Decide(RetentionRule rule, TagPush tag, int rank, DateTimeOffset? pulled, string? immutable, DateTimeOffset now)
    {
        var keptBy =
            immutable is not null ? $"immutable ({immutable})"
            : !rule.HasKeepRules ? "no keep rule: tags stay"
            : rule.KeepLastPushed is { } last && rank <= last ? $"keepLastPushed {last}: #{rank} most recently pushed"
            : rule.KeepPushedWithinDays is { } pushedDays && Within(tag.PushedAt, pushedDays, now) ? $"keepPushedWithinDays {pushedDays}: pushed {tag.PushedAt:O}"
            : rule.KeepPulledWithinDays is { } pulledDays && pulled is { } at && Within(at, pulledDays, now) ? $"keepPulledWithinDays {pulledDays}: pulled {at:O}"
            : rule.KeepTags.FirstOrDefault(glob => TagGlob.Matches(glob, tag.Tag)) is { } glob ? $"keepTags {glob}"
            : null;
        return new TagDecision(tag.Tag, tag.Digest, keptBy is not null, keptBy ?? Unkept(rule, tag, rank, pulled));
    }

    private static bool Within(DateTimeOffset time, int days, DateTimeOffset now) => now - time < TimeSpan.FromDays(days);

    /// <summary>Each keep rule the tag missed, with its value.</summary>
    private static string Unkept(RetentionRule rule, TagPush tag, int rank, DateTimeOffset? pulled)
    {
        var missed = new List<string>();
        if (rule.KeepLastPushed is { } last)
        {
            missed.Add($"#{rank} most recently pushed (keepLastPushed {last})");
        }

        missed.Add($"pushed {tag.PushedAt:O}" + (rule.KeepPushedWithinDays is { } pushedDays ? $" (keepPushedWithinDays {pushedDays})" : ""));
        if (rule.KeepPulledWithinDays is { } pulledDays)
        {
            missed.Add($"last pulled {(pulled is { } at ? at.ToString("O") : "never")} (keepPulledWithinDays {pulledDays})");
        }

        if (rule.KeepTags.Length > 0)
        {
            missed.Add($"matches none of keepTags {string.Join(", ", rule.KeepTags)}");
        }

        return $"retention rule of {rule.Pattern}: kept by no rule: {string.Join("; ", missed)}";
    }
}
