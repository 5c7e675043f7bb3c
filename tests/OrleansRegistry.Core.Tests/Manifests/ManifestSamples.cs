using System.Text;

namespace OrleansRegistry.Core.Tests.Manifests;

/// <summary>Hand-written manifest bodies for the parser tests.</summary>
internal static class ManifestSamples
{
    public const string D1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    public const string D2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    public const string D3 = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
    public const string EmptyDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    public static string Descriptor(string mediaType, string digest, long size, string extra = "") =>
        $$"""{"mediaType":"{{mediaType}}","digest":"{{digest}}","size":{{size}}{{extra}}}""";

    public static string ImageManifest(string? mediaType = "application/vnd.oci.image.manifest.v1+json", string extra = "") =>
        $$"""
        {
          "schemaVersion": 2,
          {{(mediaType is null ? "" : $"\"mediaType\": \"{mediaType}\",")}}
          "config": {{Descriptor("application/vnd.oci.image.config.v1+json", D1, 7023)}},
          "layers": [
            {{Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", D2, 32654)}},
            {{Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", D3, 16724, ",\"annotations\":{\"a\":\"b\"}")}}
          ],
          "annotations": { "com.example.key1": "value1" }{{extra}}
        }
        """;

    public static string Index(string? mediaType = "application/vnd.oci.image.index.v1+json", string extra = "") =>
        $$"""
        {
          "schemaVersion": 2,
          {{(mediaType is null ? "" : $"\"mediaType\": \"{mediaType}\",")}}
          "manifests": [
            {{Descriptor("application/vnd.oci.image.manifest.v1+json", D1, 7143, ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}")}},
            {{Descriptor("application/vnd.oci.image.manifest.v1+json", D2, 7682)}}
          ]{{extra}}
        }
        """;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
