using System.Text;
using BenchmarkDotNet.Attributes;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Manifests;

namespace OrleansRegistry.Benchmarks;

/// <summary>ManifestParser.Parse (validation included) on a typical image manifest and on one just under 4 MiB.</summary>
[BenchmarkCategory("manifest")]
public class ManifestBenchmarks
{
    private const string ManifestType = "application/vnd.oci.image.manifest.v1+json";

    private byte[] typical = [];
    private byte[] large = [];

    [GlobalSetup]
    public void Setup()
    {
        typical = Build(layers: 6, annotationsPerLayer: 0);
        // Grow the layer count until the manifest is just under the 4 MiB limit.
        var layers = 4096;
        large = Build(layers, annotationsPerLayer: 2);
        while (large.Length < ManifestParser.MaxManifestBytes - 4096)
        {
            layers = (int)(layers * (double)(ManifestParser.MaxManifestBytes - 2048) / large.Length);
            large = Build(layers, annotationsPerLayer: 2);
            while (large.Length > ManifestParser.MaxManifestBytes)
            {
                layers -= 64;
                large = Build(layers, annotationsPerLayer: 2);
            }
        }

        Console.WriteLine($"// typical manifest: {typical.Length} bytes; large manifest: {large.Length} bytes");
        if (!ManifestParser.Parse(typical, ManifestType).IsValid || !ManifestParser.Parse(large, ManifestType).IsValid)
        {
            throw new InvalidOperationException("benchmark manifests must be valid");
        }
    }

    [Benchmark(Baseline = true, Description = "Parse typical (6 layers)")]
    public ManifestParseResult ParseTypical() => ManifestParser.Parse(typical, ManifestType);

    [Benchmark(Description = "Parse + digest typical")]
    public Digest ParseAndDigestTypical()
    {
        _ = ManifestParser.Parse(typical, ManifestType);
        return Digest.Compute(DigestAlgorithm.Sha256, typical);
    }

    [Benchmark(Description = "Parse ~4 MiB")]
    public ManifestParseResult ParseLarge() => ManifestParser.Parse(large, ManifestType);

    [Benchmark(Description = "Parse ~4 MiB, as on push (descriptor annotations validated, not kept)")]
    public ManifestParseResult ParseLargeForPush() => ManifestParser.Parse(large, ManifestType, keepDescriptorAnnotations: false);

    [Benchmark(Description = "Parse typical, as on push")]
    public ManifestParseResult ParseTypicalForPush() => ManifestParser.Parse(typical, ManifestType, keepDescriptorAnnotations: false);

    private static byte[] Build(int layers, int annotationsPerLayer)
    {
        var rng = new Random(layers);
        var hash = new byte[32];
        string NextDigest()
        {
            rng.NextBytes(hash);
            return "sha256:" + Convert.ToHexStringLower(hash);
        }

        var sb = new StringBuilder();
        sb.Append("{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"").Append(ManifestType).Append("\",\n");
        sb.Append("  \"config\": {\"mediaType\": \"application/vnd.oci.image.config.v1+json\", \"digest\": \"").Append(NextDigest()).Append("\", \"size\": 7023},\n");
        sb.Append("  \"layers\": [\n");
        for (var i = 0; i < layers; i++)
        {
            sb.Append("    {\"mediaType\": \"application/vnd.oci.image.layer.v1.tar+gzip\", \"digest\": \"").Append(NextDigest())
                .Append("\", \"size\": ").Append(rng.Next(1000, int.MaxValue));
            if (annotationsPerLayer > 0)
            {
                sb.Append(", \"annotations\": {");
                for (var a = 0; a < annotationsPerLayer; a++)
                {
                    sb.Append(a == 0 ? "" : ", ").Append("\"org.example.layer.").Append(a).Append("\": \"value-").Append(i).Append('"');
                }

                sb.Append('}');
            }

            sb.Append(i + 1 < layers ? "},\n" : "}\n");
        }

        sb.Append("  ],\n  \"annotations\": {\"org.opencontainers.image.created\": \"2025-01-01T00:00:00Z\", \"org.opencontainers.image.source\": \"https://example.invalid/app\"}\n}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
