using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>Checks shared by every kind of rule, as the admin API or the configuration declares it.</summary>
public static class RuleInput
{
    public static string RequirePattern(string pattern) =>
        NamespacePattern.IsValid(pattern)
            ? pattern
            : throw AdminRequests.BadRequest($"invalid namespace '{Shorten(pattern)}' (use name/*, * or a repository name)");

    /// <summary>Tag globs as a rule lists them (the list may hold nulls, as read from JSON): each one valid, at most <paramref name="max"/>; the distinct ones.</summary>
    public static string[] RequireTagGlobs(string?[] globs, int max)
    {
        if (globs.Length > max)
        {
            throw AdminRequests.BadRequest($"at most {max} tag globs per namespace");
        }

        var invalid = Array.FindIndex(globs, g => !TagGlob.IsValid(g));
        if (invalid >= 0)
        {
            throw AdminRequests.BadRequest($"invalid tag glob '{Shorten(globs[invalid] ?? "null")}' (tag characters [A-Za-z0-9_.-] with * and ?)");
        }

        return [.. globs.OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A value quoted back in a message, cut to 64 characters.</summary>
    public static string Shorten(string value) => value.Length > 64 ? value[..64] + "..." : value;
}
