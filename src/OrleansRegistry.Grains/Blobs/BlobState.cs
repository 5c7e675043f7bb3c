using OrleansRegistry.Contracts.Blobs;
namespace OrleansRegistry.Grains.Blobs;

[GenerateSerializer]
public sealed class BlobState
{
    [Id(0)] public string? Location { get; set; }
    [Id(1)] public long Size { get; set; }
    [Id(2)] public HashSet<string> Repositories { get; set; } = new(StringComparer.Ordinal);
}
