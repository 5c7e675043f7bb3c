using Orleans.Concurrency;
using OrleansRegistry.Contracts.Repositories;

namespace OrleansRegistry.Contracts.Catalog;

/// <summary>The list of repositories for <c>/v2/_catalog</c>, kept as they are created: never a storage walk.</summary>
[Alias("catalog")]
public interface ICatalogGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task Add(string repository);

    [Alias("remove")]
    Task Remove(string repository);

    [AlwaysInterleave, Alias("list")]
    Task<TagPage> List(string? last, int limit);
}
