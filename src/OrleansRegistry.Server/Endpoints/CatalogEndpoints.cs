using OrleansRegistry.Grains.Catalog;
using OrleansRegistry.Server.Routing;

namespace OrleansRegistry.Server.Endpoints;

/// <summary><c>GET /v2/_catalog</c>: served from the catalog grain, never a storage walk.</summary>
public sealed class CatalogEndpoints(IGrainFactory grains)
{
    public async Task HandleAsync(RegistryRequest request)
    {
        var (last, limit) = Pagination.Read(request);
        var page = await grains.GetGrain<ICatalogGrain>(CatalogGrain.Key).List(last, limit);
        await Pagination.WriteAsync(request, "repositories", null, page, limit);
    }
}
