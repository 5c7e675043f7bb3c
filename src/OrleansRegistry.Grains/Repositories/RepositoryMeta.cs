using OrleansRegistry.Contracts.Repositories;
namespace OrleansRegistry.Grains.Repositories;

/// <summary>Repository metadata kept in one small record.</summary>
[GenerateSerializer]
public sealed class RepositoryMeta
{
    [Id(0)] public DateTimeOffset CreatedAt { get; set; }
    [Id(1)] public bool InCatalog { get; set; }
}
