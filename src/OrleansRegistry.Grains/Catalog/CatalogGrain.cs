using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.State;

namespace OrleansRegistry.Grains.Catalog;

public sealed class CatalogGrain : Grain, ICatalogGrain
{
    /// <summary>The key of the one catalog grain.</summary>

    private const int Buckets = 256;
    private BucketedMap<DateTimeOffset> _repositories = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Registry);
        _repositories = new(storage, GrainContext.GrainId, "repositories", Buckets);
        return Task.CompletedTask;
    }

    public async Task Add(string repository)
    {
        if (!await _repositories.ContainsAsync(repository))
        {
            await _repositories.SetAsync(repository, DateTimeOffset.UtcNow);
        }
    }

    public async Task Remove(string repository) => await _repositories.RemoveAsync(repository);

    public async Task<TagPage> List(string? last, int limit)
    {
        var all = await _repositories.GetAllAsync();
        var (page, hasMore) = TagOrder.Page(all.Select(e => e.Key), last, limit);
        return new TagPage { Tags = page, HasMore = hasMore };
    }
}
