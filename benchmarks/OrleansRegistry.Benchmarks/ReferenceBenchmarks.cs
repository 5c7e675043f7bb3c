using BenchmarkDotNet.Attributes;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Benchmarks;

/// <summary>What every /v2 request parses: the repository name and the tag or digest reference.</summary>
[BenchmarkCategory("reference")]
public class ReferenceBenchmarks
{
    private const string TagValue = "v1.2.3-alpine";
    private const string DigestValue = "sha256:8bb9bbb7ca14db24c81453248d5479901e3f08131edafb60eb6e478dcda39036";
    private const string ShortName = "team/app";
    private static readonly string LongName = string.Join('/', Enumerable.Range(0, 51).Select(i => $"c{i:D3}")); // 254 characters

    [Benchmark(Description = "Reference.TryParse tag")]
    public bool ParseTag() => Reference.TryParse(TagValue, out _);

    [Benchmark(Description = "Reference.TryParse digest")]
    public bool ParseDigest() => Reference.TryParse(DigestValue, out _);

    [Benchmark(Description = "RepositoryName.IsValid team/app")]
    public bool ShortRepository() => RepositoryName.IsValid(ShortName);

    [Benchmark(Description = "RepositoryName.IsValid 255 chars")]
    public bool LongRepository() => RepositoryName.IsValid(LongName);
}
