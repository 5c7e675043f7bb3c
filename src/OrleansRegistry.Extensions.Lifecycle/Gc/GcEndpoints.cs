using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Extensions;

namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>
/// <c>POST /api/v1/gc</c> (<c>{"dryRun": true}</c> answers what would be deleted, deleting nothing) runs a
/// pass and answers it; <c>GET /api/v1/gc</c> shows the configuration, whether a run is going on, and the
/// last runs, newest first.
/// </summary>
public sealed class GcEndpoints(IGrainFactory grains, IOptions<GcOptions> options)
{
    public void Map(IEndpointRouteBuilder api)
    {
        api.MapPost("/gc", (Func<HttpContext, Task<IResult>>)RunAsync);
        api.MapGet("/gc", (Func<Task<IResult>>)StatusAsync);
    }

    private IGarbageCollectorGrain Collector => grains.GetGrain<IGarbageCollectorGrain>(IGarbageCollectorGrain.Key);

    private async Task<IResult> RunAsync(HttpContext context)
    {
        var body = await AdminRequests.ReadJsonAsync<RunBody>(context, required: false);
        return Results.Json(await Collector.Run(body?.DryRun ?? false));
    }

    private async Task<IResult> StatusAsync()
    {
        var status = await Collector.Status();
        var o = options.Value;
        return Results.Json(new
        {
            enabled = o.Enabled,
            grace = o.Grace,
            interval = o.Interval,
            untaggedNamespaces = o.UntaggedNamespaces,
            running = status.Running,
            runs = status.Runs,
        });
    }

    private sealed record RunBody(bool DryRun);
}
