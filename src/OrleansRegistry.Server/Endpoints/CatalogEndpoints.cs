using OrleansRegistry.Contracts;
using OrleansRegistry.Grains.Catalog;
using OrleansRegistry.Contracts.Catalog;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Routing;

namespace OrleansRegistry.Server.Endpoints;

/// <summary><c>GET /v2/_catalog</c>: served from the catalog grain, never a storage walk.</summary>
public sealed class CatalogEndpoints(IGrainFactory grains, RegistryAccess access)
{
    public async Task HandleAsync(RegistryRequest request)
    {
        var (last, limit) = Pagination.Read(request);
        var catalog = grains.GetGrain<ICatalogGrain>(GrainKeys.Catalog);
        // With auth on, only what the caller may pull is listed.
        var page = access.Enabled
            ? await CatalogFilter.ListAsync(catalog.List, await access.PullFilterAsync(request.Context), last, limit)
            : await catalog.List(last, limit);
        await Pagination.WriteAsync(request, "repositories", null, page, limit);
    }
}
