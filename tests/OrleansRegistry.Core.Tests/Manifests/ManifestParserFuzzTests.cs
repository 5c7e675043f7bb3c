using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Tests.Manifests;

public class ManifestParserFuzzTests
{
    [Fact]
    public void MutatedManifestsNeverThrow()
    {
        var random = new Random(10);
        byte[][] seeds = [ManifestSamples.Utf8(ManifestSamples.ImageManifest()), ManifestSamples.Utf8(ManifestSamples.Index())];
        for (var i = 0; i < 5000; i++)
        {
            var body = (byte[])seeds[i % 2].Clone();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            var cut = random.Next(3) == 0 ? random.Next(body.Length) : body.Length;
            var result = ManifestParser.Parse(body.AsSpan(0, cut), i % 3 == 0 ? null : MediaTypes.OciManifest);
            Assert.True(result.IsValid || result.Error is not null);
        }
    }
}
