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

    /// <summary>A value quoted back in a message, cut to 64 characters.</summary>
    public static string Shorten(string value) => value.Length > 64 ? value[..64] + "..." : value;
}
