using Orleans.Runtime;

namespace OrleansRegistry.Server.Health;

/// <summary>
/// <c>/healthz</c>: the process is alive. <c>/readyz</c>: the silo is an active member of the
/// cluster and not draining. Storage health is deliberately not part of readiness: a storage blip
/// must not take every pod out of service at once.
/// </summary>
public static class HealthEndpoints
{
    public static bool IsProbe(PathString path) => path == "/healthz" || path == "/readyz";

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (DrainCoordinator drain, ISiloStatusOracle silo) =>
        {
            if (drain.IsDraining)
            {
                return Results.Text("draining", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return silo.CurrentStatus == SiloStatus.Active
                ? Results.Text("ready")
                : Results.Text($"silo {silo.CurrentStatus}", statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
