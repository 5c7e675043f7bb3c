using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Tests.Media;

public class MediaTypesTests
{
    [Fact]
    public void ClassifiesManifestTypes()
    {
        Assert.True(MediaTypes.IsManifest(MediaTypes.OciManifest));
        Assert.True(MediaTypes.IsManifest(MediaTypes.DockerManifest));
        Assert.True(MediaTypes.IsManifest(MediaTypes.OciManifest + "; charset=utf-8"));
        Assert.False(MediaTypes.IsManifest(MediaTypes.OciIndex));
        Assert.True(MediaTypes.IsIndex(MediaTypes.OciIndex));
        Assert.True(MediaTypes.IsIndex(MediaTypes.DockerManifestList));
        Assert.False(MediaTypes.IsIndex(MediaTypes.DockerManifest));
        Assert.False(MediaTypes.IsSupportedManifest(MediaTypes.DockerSchema1SignedManifest));
        Assert.True(MediaTypes.IsSchema1(MediaTypes.DockerSchema1Manifest));
        Assert.True(MediaTypes.IsSchema1(MediaTypes.DockerSchema1SignedManifest));
        Assert.False(MediaTypes.IsManifest(null));
        Assert.False(MediaTypes.IsManifest(MediaTypes.OciEmpty));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("  ", null)]
    [InlineData("a/b", "a/b")]
    [InlineData(" a/b ; charset=utf-8", "a/b")]
    public void StripsParameters(string? value, string? expected) => Assert.Equal(expected, MediaTypes.StripParameters(value));

    [Fact]
    public void CanonicalisesCase()
    {
        Assert.Equal(MediaTypes.OciIndex, MediaTypes.CanonicalManifestType("Application/VND.oci.image.index.v1+json"));
        Assert.Null(MediaTypes.CanonicalManifestType("application/json"));
    }
}
