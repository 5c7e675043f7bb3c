using OrleansRegistry.Core.Errors;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Server.Routing;

namespace OrleansRegistry.Server.Endpoints;

/// <summary><c>GET /v2/&lt;name&gt;/tags/list</c> with <c>n</c>, <c>last</c> and <c>Link</c>.</summary>
public sealed class TagEndpoints(IGrainFactory grains)
{
    public async Task HandleAsync(RegistryRequest request)
    {
        var (last, limit) = Pagination.Read(request);
        var repository = grains.GetGrain<IRepositoryGrain>(request.Name);
        if (!await repository.Exists())
        {
            throw new OciException(OciErrorCode.NameUnknown, detail: new { name = request.Name });
        }

        var page = await repository.ListTags(last, limit);
        await Pagination.WriteAsync(request, "tags", request.Name, page, limit);
    }
}
