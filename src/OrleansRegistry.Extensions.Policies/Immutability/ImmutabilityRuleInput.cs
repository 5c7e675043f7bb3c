using Microsoft.AspNetCore.Http;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>Checks a rule as the admin API or the configuration declares it; the message says what is wrong.</summary>
public static class ImmutabilityRuleInput
{
    /// <summary>Globs per rule at most: each is matched against the tags of every push to the namespace.</summary>
    public const int MaxTags = 100;

    public static string RequirePattern(string pattern) =>
        NamespacePattern.IsValid(pattern)
            ? pattern
            : throw BadRequest($"invalid namespace '{Shorten(pattern)}' (use name/*, * or a repository name)");

    /// <param name="tags">As read from JSON: the list or an entry may be missing.</param>
    public static ImmutabilityRule Validate(string pattern, string?[]? tags, string source)
    {
        RequirePattern(pattern);
        if (tags is not { Length: > 0 })
        {
            throw BadRequest("tags must list at least one tag glob (v*, release-*)");
        }

        if (tags.Length > MaxTags)
        {
            throw BadRequest($"at most {MaxTags} tag globs per namespace");
        }

        var invalid = Array.FindIndex(tags, g => !TagGlob.IsValid(g));
        if (invalid >= 0)
        {
            throw BadRequest($"invalid tag glob '{Shorten(tags[invalid] ?? "null")}' (tag characters [A-Za-z0-9_.-] with * and ?)");
        }

        return new ImmutabilityRule { Pattern = pattern, Tags = [.. tags.OfType<string>().Distinct(StringComparer.Ordinal)], Source = source };
    }

    public static OciException BadRequest(string message) => new(OciErrorCode.Unsupported, message, statusCode: StatusCodes.Status400BadRequest);

    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "..." : value;
}
