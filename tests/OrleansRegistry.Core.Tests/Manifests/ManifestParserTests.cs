using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Media;
using static OrleansRegistry.Core.Tests.Manifests.ManifestSamples;

namespace OrleansRegistry.Core.Tests.Manifests;

public class ManifestParserTests
{
    private static ParsedManifest Valid(string body, string? contentType)
    {
        var result = ManifestParser.Parse(Utf8(body), contentType);
        Assert.True(result.IsValid, result.Error);
        return result.Manifest;
    }

    [Fact]
    public void ParsesAnOciImageManifest()
    {
        var manifest = Valid(ImageManifest(), MediaTypes.OciManifest);
        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        Assert.False(manifest.IsIndex);
        Assert.Equal(Digest.Parse(D1), manifest.Config!.Digest);
        Assert.Equal(7023, manifest.Config.Size);
        Assert.Equal(2, manifest.Layers.Count);
        Assert.Equal("b", manifest.Layers[1].Annotations!["a"]);
        Assert.Empty(manifest.Manifests);
        Assert.Null(manifest.Subject);
        Assert.Equal(MediaTypes.OciConfig, manifest.ArtifactType);
        Assert.Equal("value1", manifest.Annotations!["com.example.key1"]);
        Assert.Equal([D1, D2, D3], manifest.ReferencedBlobs.Select(d => d.Digest.ToString()));
        Assert.Empty(manifest.ReferencedManifests);
    }

    [Fact]
    public void ParsesAnOciIndexAndKeepsPlatformRaw()
    {
        var manifest = Valid(Index(), MediaTypes.OciIndex + "; charset=utf-8");
        Assert.True(manifest.IsIndex);
        Assert.Null(manifest.Config);
        Assert.Empty(manifest.Layers);
        Assert.Equal(2, manifest.Manifests.Count);
        Assert.Equal("""{"architecture":"amd64","os":"linux"}""", manifest.Manifests[0].Platform);
        Assert.Null(manifest.Manifests[1].Platform);
        Assert.Null(manifest.ArtifactType);
        Assert.Empty(manifest.ReferencedBlobs);
        Assert.Equal([D1, D2], manifest.ReferencedManifests.Select(d => d.Digest.ToString()));
    }

    [Fact]
    public void ParsesDockerTypes()
    {
        Assert.Equal(MediaTypes.DockerManifest, Valid(ImageManifest(MediaTypes.DockerManifest), MediaTypes.DockerManifest).MediaType);
        Assert.Equal(MediaTypes.DockerManifestList, Valid(Index(MediaTypes.DockerManifestList), null).MediaType);
    }

    [Fact]
    public void DockerTypesRequireTheirMediaTypeField()
    {
        AssertInvalid(ImageManifest(mediaType: null), MediaTypes.DockerManifest, "requires its mediaType");
        AssertInvalid(Index(mediaType: null), MediaTypes.DockerManifestList, "requires its mediaType");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/octet-stream")]
    public void InfersTheTypeWhenNothingSaysIt(string? contentType)
    {
        Assert.Equal(MediaTypes.OciManifest, Valid(ImageManifest(mediaType: null), contentType).MediaType);
        Assert.Equal(MediaTypes.OciIndex, Valid(Index(mediaType: null), contentType).MediaType);
    }

    [Fact]
    public void UsesContentTypeWhenTheFieldIsAbsent()
    {
        Assert.Equal(MediaTypes.OciIndex, Valid(Index(mediaType: null), MediaTypes.OciIndex).MediaType);
        AssertInvalid(Index(mediaType: null), MediaTypes.OciManifest, "config");
    }

    [Theory]
    [InlineData(MediaTypes.OciIndex)]
    [InlineData(MediaTypes.DockerManifest)]
    [InlineData("application/json")]
    [InlineData("text/plain; charset=utf-8")]
    public void MediaTypeAndContentTypeMustAgree(string contentType) =>
        AssertInvalid(ImageManifest(), contentType,
            $"mediaType '{MediaTypes.OciManifest}' does not match Content-Type '{MediaTypes.StripParameters(contentType)}'");

    [Fact]
    public void MediaTypeComparisonIgnoresCase() =>
        Assert.Equal(MediaTypes.OciManifest, Valid(ImageManifest("application/VND.oci.image.manifest.v1+json"), MediaTypes.OciManifest).MediaType);

    [Fact]
    public void ParsesAnArtifactWithEmptyLayersAndASubject()
    {
        var body = $$"""
            {
              "schemaVersion": 2,
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "artifactType": "application/vnd.example.sbom",
              "config": {{Descriptor(MediaTypes.OciEmpty, EmptyDigest, 2, ",\"data\":\"e30=\"")}},
              "layers": [],
              "subject": {{Descriptor(MediaTypes.OciManifest, D3, 1234, ",\"artifactType\":\"application/vnd.x\"")}}
            }
            """;
        var manifest = Valid(body, MediaTypes.OciManifest);
        Assert.Empty(manifest.Layers);
        Assert.Equal("application/vnd.example.sbom", manifest.ArtifactType);
        Assert.Equal(Digest.Parse(D3), manifest.Subject!.Digest);
        Assert.Equal("application/vnd.x", manifest.Subject.ArtifactType);
        Assert.Equal([EmptyDigest], manifest.ReferencedBlobs.Select(d => d.Digest.ToString()));
    }

    [Fact]
    public void ArtifactTypeFallsBackToConfigMediaType()
    {
        var body = $$"""{"schemaVersion":2,"config":{{Descriptor("application/vnd.example.config", D1, 2)}},"layers":[]}""";
        Assert.Equal("application/vnd.example.config", Valid(body, MediaTypes.OciManifest).ArtifactType);
    }

    [Fact]
    public void IndexArtifactTypeAndSubjectAreKept()
    {
        var manifest = Valid(Index(extra: $",\"artifactType\":\"application/vnd.t\",\"subject\":{Descriptor(MediaTypes.OciManifest, D3, 5)}"), null);
        Assert.Equal("application/vnd.t", manifest.ArtifactType);
        Assert.Equal(Digest.Parse(D3), manifest.Subject!.Digest);
    }

    [Fact]
    public void UnknownFieldsAreIgnored() =>
        Valid(ImageManifest(extra: ",\"x-unknown\":{\"deep\":[1,2,{\"a\":null}]},\"other\":true"), MediaTypes.OciManifest);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "not valid JSON")]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "must be an object")]
    [InlineData("null", "must be an object")]
    [InlineData("{\"schemaVersion\":2,}", "not valid JSON")]
    [InlineData("{\"schemaVersion\":2} {}", "not valid JSON")]
    [InlineData("{\"schemaVersion\":2 /* c */}", "not valid JSON")]
    [InlineData("{\"schemaVersion\":3,\"manifests\":[]}", "schemaVersion must be 2")]
    [InlineData("{\"schemaVersion\":\"2\",\"manifests\":[]}", "schemaVersion must be an integer")]
    [InlineData("{\"schemaVersion\":2.5,\"manifests\":[]}", "schemaVersion must be an integer")]
    [InlineData("{\"manifests\":[]}", "schemaVersion is missing")]
    [InlineData("{\"schemaVersion\":2}", "cannot determine")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":{}}", "must be an array")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[1]}", "must be an object")]
    [InlineData("{\"schemaVersion\":2,\"schemaVersion\":2,\"manifests\":[]}", "duplicate")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"a\":1}}", "must be a string")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"a\":\"1\",\"a\":\"2\"}}", "duplicate annotation")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[],\"annotations\":[]}", "must be an object")]
    [InlineData("{\"schemaVersion\":2,\"manifests\":[],\"artifactType\":5}", "artifactType must be a string")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example+json\",\"manifests\":[]}", "unsupported manifest media type")]
    public void RejectsMalformedDocuments(string body, string expectedError) => AssertInvalid(body, null, expectedError);

    [Fact]
    public void RejectsMissingConfig() =>
        AssertInvalid("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}""", null, "requires a config");

    [Fact]
    public void RejectsMissingLayers() =>
        AssertInvalid($$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{Descriptor(MediaTypes.OciConfig, D1, 1)}}}""", null, "requires a layers");

    [Fact]
    public void RejectsAmbiguousDocuments()
    {
        AssertInvalid(ImageManifest(extra: ",\"manifests\":[]"), null, "must not have manifests");
        AssertInvalid(Index(extra: ",\"layers\":[]"), null, "must not have config or layers");
        AssertInvalid(ImageManifest(mediaType: null, extra: ",\"manifests\":[]"), null, "cannot determine");
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    public void RejectsDescriptorsWithBadDigests(string digest) =>
        AssertInvalid(Index(extra: $",\"subject\":{Descriptor(MediaTypes.OciManifest, digest, 5)}"), null, "subject.digest");

    [Theory]
    [InlineData("-1", "non-negative integer")]
    [InlineData("1.5", "non-negative integer")]
    [InlineData("\"5\"", "non-negative integer")]
    [InlineData("1e3", "non-negative integer")]
    [InlineData("99999999999999999999", "non-negative integer")]
    public void RejectsBadSizes(string size, string expectedError) =>
        AssertInvalid($$"""{"schemaVersion":2,"config":{"mediaType":"a/b","digest":"{{D1}}","size":{{size}}},"layers":[]}""", null, expectedError);

    [Theory]
    [InlineData("{\"digest\":\"" + D1 + "\",\"size\":1}", "missing mediaType")]
    [InlineData("{\"mediaType\":\"a/b\",\"size\":1}", "missing digest")]
    [InlineData("{\"mediaType\":\"a/b\",\"digest\":\"" + D1 + "\"}", "missing size")]
    [InlineData("{\"mediaType\":1,\"digest\":\"" + D1 + "\",\"size\":1}", "mediaType must be a string")]
    [InlineData("{\"mediaType\":\"a/b\",\"digest\":\"" + D1 + "\",\"size\":1,\"platform\":\"linux\"}", "platform must be an object")]
    [InlineData("{\"mediaType\":\"a/b\",\"digest\":\"" + D1 + "\",\"digest\":\"" + D2 + "\",\"size\":1}", "duplicate")]
    public void RejectsIncompleteDescriptors(string descriptor, string expectedError) =>
        AssertInvalid($$"""{"schemaVersion":2,"manifests":[{{descriptor}}]}""", null, expectedError);

    [Fact]
    public void RejectsSchema1()
    {
        AssertInvalid("""{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}""", null, "schema1");
        AssertInvalid("not even json", MediaTypes.DockerSchema1SignedManifest, "schema1");
        AssertInvalid("""{"schemaVersion":2,"manifests":[]}""", MediaTypes.DockerSchema1Manifest, "schema1");
    }

    [Fact]
    public void ErrorsBecomeManifestInvalidExceptions()
    {
        var result = ManifestParser.Parse("{"u8, null);
        Assert.Equal(OciErrorCode.ManifestInvalid, result.ErrorCode);
        var ex = result.ToException();
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(OciErrorCode.ManifestInvalid, ex.Code);
    }

    [Fact]
    public void RejectsInvalidUtf8() =>
        AssertInvalid([.. "{\"schemaVersion\":2,\"manifests\":[],\"annotations\":{\"a\":\""u8, 0xff, 0xfe, .. "\"}}"u8], null, "");

    private static void AssertInvalid(string body, string? contentType, string expectedError) =>
        AssertInvalid(Utf8(body), contentType, expectedError);

    private static void AssertInvalid(byte[] body, string? contentType, string expectedError)
    {
        var result = ManifestParser.Parse(body, contentType);
        Assert.False(result.IsValid);
        Assert.Equal(OciErrorCode.ManifestInvalid, result.ErrorCode);
        Assert.Contains(expectedError, result.Error);
    }
}
