using OrleansRegistry.Hosting.Drain;
using Orleans.Runtime;

namespace OrleansRegistry.Server.Health;

/// <summary>
/// <c>/healthz</c>: the process is alive. <c>/readyz</c>: the silo is an active member of the
/// cluster and not draining. Storage health is deliberately not part of readiness: a storage blip
/// must not take every pod out of service at once.
/// </summary>
public static class HealthEndpoints
{
    public const string StoragePath = "/healthz/storage";

    public static bool IsProbe(PathString path) => path == "/healthz" || path == "/readyz" || path == StoragePath;

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

        // The storage probe's last results: 503 when a store's last probe failed, 200 otherwise (before the first probe too).
        app.MapGet(StoragePath, (StorageHealth health) =>
        {
            var stores = health.Snapshot();
            var body = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var store in Enum.GetValues<ProbedStore>())
            {
                body[StorageHealth.Name(store)] = stores.TryGetValue(store, out var result)
                    ? new
                    {
                        healthy = (bool?)result.Healthy,
                        lastProbe = (DateTimeOffset?)result.LastProbe,
                        lastSuccess = result.LastSuccess,
                        latencySeconds = (double?)result.LatencySeconds,
                        error = result.Error,
                    }
                    : new { healthy = (bool?)null, lastProbe = (DateTimeOffset?)null, lastSuccess = (DateTimeOffset?)null, latencySeconds = (double?)null, error = (string?)null };
            }

            var failing = stores.Values.Any(s => !s.Healthy);
            return Results.Json(body, statusCode: failing ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        });
    }
}
