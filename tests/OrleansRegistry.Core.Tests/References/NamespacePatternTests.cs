using OrleansRegistry.Core.References;

namespace OrleansRegistry.Core.Tests.References;

public sealed class NamespacePatternTests
{
    [Theory]
    [InlineData("*", "a/b", true)]
    [InlineData("team/*", "team/a", true)]
    [InlineData("team/*", "team/a/b", true)]
    [InlineData("team/*", "team", false)]
    [InlineData("team/*", "teamx/a", false)]
    [InlineData("team/app", "team/app", true)]
    [InlineData("team/app", "team/app2", false)]
    public void Namespace_patterns_match(string pattern, string repository, bool matches) =>
        Assert.Equal(matches, NamespacePattern.Covers(pattern, repository));

    [Theory]
    [InlineData("*", true)]
    [InlineData("team/*", true)]
    [InlineData("team/app", true)]
    [InlineData("Team/*", false)]
    [InlineData("team/**", false)]
    [InlineData("", false)]
    [InlineData("/*", false)]
    public void Valid_patterns_are_star_a_name_with_slash_star_or_a_repository_name(string pattern, bool valid) =>
        Assert.Equal(valid, NamespacePattern.IsValid(pattern));
}
