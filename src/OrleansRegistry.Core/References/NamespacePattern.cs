namespace OrleansRegistry.Core.References;

/// <summary>
/// A set of repositories as namespaces, grants, webhooks and policies name them: <c>*</c> (all),
/// <c>name/*</c> (everything below <c>name/</c>) or one repository name.
/// </summary>
public static class NamespacePattern
{
    public static bool IsValid(string pattern) =>
        pattern == "*"
        || (pattern.EndsWith("/*", StringComparison.Ordinal) && RepositoryName.IsValid(pattern[..^2]))
        || RepositoryName.IsValid(pattern);

    /// <summary>Does <paramref name="pattern"/> cover <paramref name="repository"/>? Also the specificity of the match (longer wins), or -1.</summary>
    public static int Match(string pattern, string repository)
    {
        if (pattern == "*")
        {
            return 0;
        }

        if (pattern.EndsWith("/*", StringComparison.Ordinal))
        {
            var prefix = pattern[..^1];
            return repository.StartsWith(prefix, StringComparison.Ordinal) && repository.Length > prefix.Length ? prefix.Length : -1;
        }

        return pattern == repository ? pattern.Length + 1 : -1;
    }

    public static bool Covers(string pattern, string repository) => Match(pattern, repository) >= 0;
}
