using System.Text;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Media;
using OrleansRegistry.Core.Referrers;
using OrleansRegistry.Core.Tests.Manifests;

namespace OrleansRegistry.Core.Tests.Referrers;

public class ReferrersIndexTests
{
    [Fact]
    public void EmptyListIsAnEmptyIndex() =>
        Assert.Equal(
            """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""",
            Encoding.UTF8.GetString(ReferrersIndex.BuildIndexJson([])));

    [Fact]
    public void WritesDescriptorsOmittingAbsentFields()
    {
        Descriptor[] referrers =
        [
            new(MediaTypes.OciManifest, Digest.Parse(ManifestSamples.D1), 10, "application/vnd.sbom", new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" }),
            new(MediaTypes.OciManifest, Digest.Parse(ManifestSamples.D2), 20, null, new Dictionary<string, string>()),
        ];
        var json = Encoding.UTF8.GetString(ReferrersIndex.BuildIndexJson(referrers));
        Assert.Equal(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{ManifestSamples.D1}\",\"size\":10,\"artifactType\":\"application/vnd.sbom\",\"annotations\":{{\"a\":\"2\",\"z\":\"1\"}}}},"
            + $"{{\"mediaType\":\"{MediaTypes.OciManifest}\",\"digest\":\"{ManifestSamples.D2}\",\"size\":20}}]}}",
            json);
    }

    [Fact]
    public void OutputParsesBackAsAnIndex()
    {
        var body = ReferrersIndex.BuildIndexJson([new(MediaTypes.OciManifest, Digest.Parse(ManifestSamples.D1), 10, "a/b")]);
        var result = ManifestParser.Parse(body, MediaTypes.OciIndex);
        Assert.True(result.IsValid, result.Error);
        Assert.Equal("a/b", Assert.Single(result.Manifest.Manifests).ArtifactType);
    }

    [Fact]
    public void FiltersByArtifactType()
    {
        Descriptor[] referrers =
        [
            new(MediaTypes.OciManifest, Digest.Parse(ManifestSamples.D1), 1, "x/sig"),
            new(MediaTypes.OciManifest, Digest.Parse(ManifestSamples.D2), 2, "x/sbom"),
        ];
        Assert.Equal(2, ReferrersIndex.FilterByArtifactType(referrers, null).Count());
        Assert.Equal(ManifestSamples.D2, Assert.Single(ReferrersIndex.FilterByArtifactType(referrers, "x/sbom")).Digest.ToString());
    }

    [Fact]
    public void ReferrerDescriptorUsesTheEffectiveArtifactType()
    {
        var body = ManifestSamples.Utf8(ManifestSamples.ImageManifest());
        var manifest = ManifestParser.Parse(body, null).Manifest!;
        var digest = Digest.Compute(DigestAlgorithm.Sha256, body);
        var descriptor = ReferrerDescriptor.From(manifest, digest, body.Length);
        Assert.Equal(MediaTypes.OciConfig, descriptor.ArtifactType);
        Assert.Equal(digest, descriptor.Digest);
        Assert.Equal("value1", descriptor.Annotations!["com.example.key1"]);
    }
}
