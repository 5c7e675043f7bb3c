using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Core.Tests.References;

public class ReferenceTests
{
    private const string Sha256Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Fact]
    public void ParsesTags()
    {
        Assert.True(Reference.TryParse("v1.2", out var reference));
        Assert.False(reference.IsDigest);
        Assert.Equal("v1.2", reference.Tag);
        Assert.Null(reference.Digest);
        Assert.Equal("v1.2", reference.ToString());
    }

    [Fact]
    public void ParsesDigests()
    {
        Assert.True(Reference.TryParse(Sha256Digest, out var reference));
        Assert.True(reference.IsDigest);
        Assert.Null(reference.Tag);
        Assert.Equal(Digest.Parse(Sha256Digest), reference.Digest);
        Assert.Equal(Sha256Digest, reference.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-tag")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha384:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:abc")]
    [InlineData("latest:extra")]
    public void RejectsInvalidReferences(string? value) => Assert.False(Reference.TryParse(value, out _));

    [Fact]
    public void TellsIntendedDigestsApart()
    {
        Assert.True(Reference.LooksLikeDigest("sha384:abc"));
        Assert.False(Reference.LooksLikeDigest("latest"));
    }

    [Fact]
    public void FactoriesValidate()
    {
        Assert.Equal("x", Reference.FromTag("x").Tag);
        Assert.Throws<ArgumentException>(() => Reference.FromTag("a/b"));
        Assert.True(Reference.FromDigest(Digest.Parse(Sha256Digest)).IsDigest);
    }
}
