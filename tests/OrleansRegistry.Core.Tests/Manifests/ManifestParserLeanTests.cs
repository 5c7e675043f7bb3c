using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Media;
using static OrleansRegistry.Core.Tests.Manifests.ManifestSamples;

namespace OrleansRegistry.Core.Tests.Manifests;

/// <summary>
/// Parsing without keeping descriptor annotations (what the registry does on push) accepts and
/// rejects exactly what the full parse does, and keeps everything else.
/// </summary>
public class ManifestParserLeanTests
{
    private static string Layer(string annotations) =>
        Descriptor(MediaTypes.OciLayerTarGzip, D2, 10, $",\"annotations\":{annotations}");

    private static string WithLayer(string annotations) =>
        $$$"""{"schemaVersion":2,"mediaType":"{{{MediaTypes.OciManifest}}}","config":{{{Descriptor(MediaTypes.OciConfig, D1, 2)}}},"layers":[{{{Layer(annotations)}}}],"annotations":{"k":"v"}}""";

    [Fact]
    public void Keeps_the_manifest_and_drops_only_descriptor_annotations()
    {
        var body = Utf8(ImageManifest());
        var full = ManifestParser.Parse(body, MediaTypes.OciManifest).Manifest!;
        var lean = ManifestParser.Parse(body, MediaTypes.OciManifest, keepDescriptorAnnotations: false).Manifest!;

        Assert.NotNull(full.Layers[1].Annotations);
        Assert.All(lean.Layers, l => Assert.Null(l.Annotations));
        Assert.Equal(full.MediaType, lean.MediaType);
        Assert.Equal(full.ArtifactType, lean.ArtifactType);
        Assert.Equal(full.Annotations, lean.Annotations);
        Assert.Equal(full.ReferencedBlobs.Select(d => (d.MediaType, d.Digest, d.Size)), lean.ReferencedBlobs.Select(d => (d.MediaType, d.Digest, d.Size)));
    }

    [Fact]
    public void Well_known_media_types_are_the_shared_constants()
    {
        var lean = ManifestParser.Parse(Utf8(WithLayer("{}")), null, keepDescriptorAnnotations: false).Manifest!;
        Assert.Same(MediaTypes.OciLayerTarGzip, lean.Layers[0].MediaType);
        Assert.Same(MediaTypes.OciConfig, lean.Config!.MediaType);
    }

    [Theory]
    [InlineData("""{"a":"1","b":"2"}""", null)]
    [InlineData("""{"a":"1","a":"2"}""", "duplicate annotation \"a\" in layers[0].annotations")]
    [InlineData("""{"a":"1","\u0061":"2"}""", "duplicate annotation \"a\" in layers[0].annotations")]
    [InlineData("""{"\u0061":"1","a":"2"}""", "duplicate annotation \"a\" in layers[0].annotations")]
    [InlineData("""{"a":1}""", "layers[0].annotations[\"a\"] must be a string")]
    [InlineData("""{"a":{"b":"c"}}""", "layers[0].annotations[\"a\"] must be a string")]
    [InlineData("""[]""", "layers[0].annotations must be an object")]
    [InlineData("""{"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9","j":"10","k":"11","l":"12","m":"13","n":"14","o":"15","p":"16","q":"17","a":"18"}""", "duplicate annotation \"a\"")]
    [InlineData("""{"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9","j":"10","k":"11","l":"12","m":"13","n":"14","o":"15","p":"16","q":"17","r":"18"}""", null)]
    public void Descriptor_annotations_are_validated_the_same_way_in_both_modes(string annotations, string? error)
    {
        var body = Utf8(WithLayer(annotations));
        var full = ManifestParser.Parse(body, null);
        var lean = ManifestParser.Parse(body, null, keepDescriptorAnnotations: false);
        Assert.Equal(error is null, full.IsValid);
        Assert.Equal(error is null, lean.IsValid);
        if (error is not null)
        {
            Assert.Contains(error, full.Error);
            Assert.Contains(error, lean.Error);
        }
    }

    [Theory]
    [InlineData("\"sha256:ABCDEF\"", "layers[0].digest 'sha256:ABCDEF' is not a valid")]
    [InlineData("5", "layers[0].digest must be a string")]
    public void Descriptor_errors_name_their_path(string digest, string error)
    {
        var body = $$"""{"schemaVersion":2,"config":{{Descriptor(MediaTypes.OciConfig, D1, 2)}},"layers":[{"mediaType":"x","digest":{{digest}},"size":1}]}""";
        var lean = ManifestParser.Parse(Utf8(body), MediaTypes.OciManifest, keepDescriptorAnnotations: false);
        Assert.False(lean.IsValid);
        Assert.Contains(error, lean.Error);
    }

    [Theory]
    [InlineData("sha256:1111111111111111111111111111111111111111111111111111111111111111", true)]
    [InlineData("sha512:" + "ab" + "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111", false)]
    [InlineData("sha512:11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111", true)]
    [InlineData("sha256:111111111111111111111111111111111111111111111111111111111111111", false)]
    [InlineData("sha256:A111111111111111111111111111111111111111111111111111111111111111", false)]
    [InlineData("sha384:1111", false)]
    [InlineData("sha256", false)]
    [InlineData("", false)]
    public void Utf8_digest_parsing_agrees_with_string_parsing(string text, bool valid)
    {
        Assert.Equal(valid, Digest.TryParse(text, out var fromString));
        Assert.Equal(valid, Digest.TryParseUtf8(Utf8(text), out var fromUtf8));
        Assert.Equal(fromString, fromUtf8);
    }
}
