using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansRegistry.Server.Health;
using OrleansRegistry.Server.Routing;

namespace OrleansRegistry.Server.Telemetry;

/// <summary>Wires logging, metrics and traces into the host: see docs/configuration.md (Telemetry) and docs/operations.md (Watch).</summary>
public static class TelemetryHosting
{
    /// <summary>Orleans' own meter (<c>orleans-*</c> instruments: activations by grain type, messaging, membership).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Orleans' activity sources, traced when an OTLP endpoint is set.</summary>
    public static readonly string[] OrleansActivitySources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    public const string MetricsPath = "/metrics";

    /// <summary>
    /// What <c>/metrics</c> exports: the registry's meter, ASP.NET Core's HTTP server and Kestrel meters,
    /// Orleans' meter and the .NET runtime's.
    /// </summary>
    public static readonly string[] Meters =
    [
        RegistryMetrics.MeterName,
        Grains.Events.EventMetrics.MeterName,
        Extensions.Lifecycle.Gc.GcMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        OrleansMeter,
        "System.Runtime",
    ];

    /// <summary>Orleans' instrument for application grain activations by type.</summary>
    public const string OrleansGrainCounts = "orleans-grains";

    /// <summary>What <see cref="OrleansGrainCounts"/> is exported as: <c>registry_grain_activations{grain_type}</c>.</summary>
    public const string GrainActivations = "registry.grain.activations";

    /// <summary>JSON console logs (when asked), the registry's meter, the OpenTelemetry pipeline.</summary>
    public static TelemetryOptions AddRegistryTelemetry(this WebApplicationBuilder builder)
    {
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var logging = builder.Configuration.GetSection(RegistryLoggingOptions.Section).Get<RegistryLoggingOptions>() ?? new RegistryLoggingOptions();
        if (logging.Json)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        builder.Services.AddSingleton<RegistryMetrics>();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName, serviceInstanceId: Environment.MachineName));
        if (telemetry.Metrics)
        {
            // Meters are enabled as rules of the host's metrics builder, not with AddMeter: a rule matches
            // only meters made by this host's IMeterFactory (and static ones), so two hosts in one process
            // (the tests) never mix or lose each other's instruments, as AddMeter's match by name would.
            foreach (var meter in Meters)
            {
                builder.Metrics.EnableMetrics(meter);
            }

            otel.WithMetrics(metrics => metrics
                // Orleans counts the activations of application grains by type (grain_type) as "orleans-grains";
                // exported under the registry's prefix with the rest of its metrics.
                .AddView(OrleansGrainCounts, new MetricStreamConfiguration { Name = GrainActivations })
                .AddPrometheusExporter());
        }

        if (!string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
        {
            var endpoint = new Uri(telemetry.OtlpEndpoint);
            var protocol = telemetry.OtlpProtocol.Equals("http/protobuf", StringComparison.OrdinalIgnoreCase)
                ? OtlpExportProtocol.HttpProtobuf
                : OtlpExportProtocol.Grpc;
            otel.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsOperational(context.Request.Path))
                .AddSource(OrleansActivitySources)
                .AddOtlpExporter(otlp =>
                {
                    otlp.Protocol = protocol;
                    otlp.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf && endpoint.AbsolutePath == "/"
                        ? new Uri(endpoint, "v1/traces")
                        : endpoint;
                }));
        }

        return telemetry;
    }

    /// <summary>The request id first (so that every answer, a drain's 503 included, carries it), then <c>/metrics</c>.</summary>
    public static void UseRegistryRequestId(this WebApplication app) => app.UseMiddleware<RequestIdMiddleware>();

    public static void MapRegistryMetrics(this WebApplication app, TelemetryOptions telemetry)
    {
        if (telemetry.Metrics)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath);
        }
    }

    /// <summary>Probes and scrapes: kept out of traces.</summary>
    public static bool IsOperational(PathString path) => HealthEndpoints.IsProbe(path) || path == MetricsPath;

    /// <summary>
    /// Names the route of a request that the <c>/v2</c> dispatcher (not endpoint routing) handles, so that
    /// <c>http.server.request.duration</c> and the trace span carry <c>http.route</c> like any endpoint's.
    /// The template never contains the repository name, digest or upload id (bounded cardinality).
    /// </summary>
    public static void SetRoute(HttpContext context, RouteKind kind)
    {
        var template = RouteTemplate(kind);
        context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(new KeyValuePair<string, object?>("http.route", template));
        if (Activity.Current is { } activity)
        {
            activity.DisplayName = $"{context.Request.Method} {template}";
            activity.SetTag("http.route", template);
        }
    }

    public static string RouteTemplate(RouteKind kind) => kind switch
    {
        RouteKind.Base => "/v2/",
        RouteKind.Catalog => "/v2/_catalog",
        RouteKind.Tags => "/v2/{name}/tags/list",
        RouteKind.Manifest => "/v2/{name}/manifests/{reference}",
        RouteKind.Blob => "/v2/{name}/blobs/{digest}",
        RouteKind.UploadStart => "/v2/{name}/blobs/uploads/",
        RouteKind.Upload => "/v2/{name}/blobs/uploads/{id}",
        RouteKind.Referrers => "/v2/{name}/referrers/{digest}",
        _ => "/v2/",
    };
}
