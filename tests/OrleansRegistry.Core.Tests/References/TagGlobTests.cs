using OrleansRegistry.Core.References;

namespace OrleansRegistry.Core.Tests.References;

public sealed class TagGlobTests
{
    [Theory]
    [InlineData("v*", "v1", true)]
    [InlineData("v*", "v", true)]
    [InlineData("v*", "latest", false)]
    [InlineData("v*", "xv1", false)]
    [InlineData("release-*", "release-2024.1", true)]
    [InlineData("release-*", "release", false)]
    [InlineData("*", "anything", true)]
    [InlineData("latest", "latest", true)]
    [InlineData("latest", "latest2", false)]
    [InlineData("latest", "Latest", false)]
    [InlineData("v?", "v1", true)]
    [InlineData("v?", "v12", false)]
    [InlineData("v?", "v", false)]
    [InlineData("1.?.*", "1.2.3", true)]
    [InlineData("1.?.*", "1.22.3", false)]
    [InlineData("*-rc", "2.0-rc", true)]
    [InlineData("*-rc", "2.0-rc1", false)]
    [InlineData("*a*b", "xaxxab", true)]
    [InlineData("*a*b", "xaxxa", false)]
    [InlineData("a**b", "ab", true)]
    [InlineData("*?", "", false)]
    public void Globs_match_the_whole_tag(string glob, string tag, bool matches) =>
        Assert.Equal(matches, TagGlob.Matches(glob, tag));

    [Fact]
    public void A_glob_of_many_stars_against_a_long_tag_does_not_backtrack_exponentially()
    {
        var glob = string.Concat(Enumerable.Repeat("*a", 60)) + "b";
        Assert.False(TagGlob.Matches(glob, new string('a', 128)));
    }

    [Theory]
    [InlineData("v*", true)]
    [InlineData("*", true)]
    [InlineData("?", true)]
    [InlineData("_x.y-z", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("v/*", false)]
    [InlineData("v[0-9]", false)]
    [InlineData("v *", false)]
    public void Valid_globs_use_the_tag_alphabet_with_star_and_question_mark(string? glob, bool valid) =>
        Assert.Equal(valid, TagGlob.IsValid(glob));

    [Fact]
    public void A_glob_longer_than_a_tag_is_invalid()
    {
        Assert.True(TagGlob.IsValid(new string('a', Tag.MaxLength)));
        Assert.False(TagGlob.IsValid(new string('a', Tag.MaxLength + 1)));
    }
}
