using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>Checks a rule as the admin API or the configuration declares it; the message says what is wrong.</summary>
public static class ImmutabilityRuleInput
{
    /// <summary>Globs per rule at most: each is matched against the tags of every push to the namespace.</summary>
    public const int MaxTags = 100;

    /// <param name="tags">As read from JSON: the list or an entry may be missing.</param>
    public static ImmutabilityRule Validate(string pattern, string?[]? tags, string source)
    {
        RuleInput.RequirePattern(pattern);
        if (tags is not { Length: > 0 })
        {
            throw AdminRequests.BadRequest("tags must list at least one tag glob (v*, release-*)");
        }

        return new ImmutabilityRule { Pattern = pattern, Tags = RuleInput.RequireTagGlobs(tags, MaxTags), Source = source };
    }
}
