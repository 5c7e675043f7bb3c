using System.Diagnostics;
using System.Text;
using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Tests.Manifests;

public class LargeManifestTests
{
    [Fact]
    public void FourMebibyteManifestParsesQuickly()
    {
        var body = new StringBuilder("""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":""");
        body.Append(ManifestSamples.Descriptor(MediaTypes.OciConfig, ManifestSamples.D1, 2)).Append(",\"layers\":[");
        var count = 0;
        while (body.Length < ManifestParser.MaxManifestBytes - 400)
        {
            if (count > 0)
            {
                body.Append(',');
            }

            var digest = $"sha256:{count:x64}";
            body.Append(ManifestSamples.Descriptor(MediaTypes.OciLayerTarGzip, digest, count, ",\"annotations\":{\"n\":\"" + count + "\"}"));
            count++;
        }

        body.Append("]}");
        var bytes = ManifestSamples.Utf8(body.ToString());
        Assert.InRange(bytes.Length, ManifestParser.MaxManifestBytes - 1000, ManifestParser.MaxManifestBytes);

        ManifestParser.Parse(bytes, MediaTypes.OciManifest); // warm up
        var watch = Stopwatch.StartNew();
        var result = ManifestParser.Parse(bytes, MediaTypes.OciManifest);
        watch.Stop();

        Assert.True(result.IsValid, result.Error);
        Assert.Equal(count, result.Manifest.Layers.Count);
        Assert.Equal(count - 1, result.Manifest.Layers[^1].Size);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }
}
