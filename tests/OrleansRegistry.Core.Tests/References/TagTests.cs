using OrleansRegistry.Core.References;

namespace OrleansRegistry.Core.Tests.References;

public class TagTests
{
    [Theory]
    [InlineData("latest")]
    [InlineData("v1.0.0")]
    [InlineData("_x")]
    [InlineData("A-b_c.D")]
    [InlineData("0")]
    public void AcceptsValidTags(string tag) => Assert.True(Tag.IsValid(tag));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(".x")]
    [InlineData("-x")]
    [InlineData("a:b")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("sha256:abc")]
    public void RejectsInvalidTags(string? tag) => Assert.False(Tag.IsValid(tag));

    [Fact]
    public void AllowsAtMost128Characters()
    {
        Assert.True(Tag.IsValid(new string('a', 128)));
        Assert.False(Tag.IsValid(new string('a', 129)));
    }
}
