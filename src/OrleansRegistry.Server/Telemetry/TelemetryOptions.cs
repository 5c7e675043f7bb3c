namespace OrleansRegistry.Server.Telemetry;

/// <summary>The <c>Registry:Telemetry</c> section: metrics and traces.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Registry:Telemetry";

    /// <summary>Whether <c>/metrics</c> (Prometheus text format) is served. Default true.</summary>
    public bool Metrics { get; set; } = true;

    /// <summary>
    /// Where traces are sent over OTLP (for example <c>http://otel-collector:4317</c>). Unset (the
    /// default): no traces are collected at all.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>OTLP transport: <c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318, path <c>/v1/traces</c>).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>The <c>service.name</c> of the resource on traces and metrics. Default <c>orleans-registry</c>.</summary>
    public string ServiceName { get; set; } = "orleans-registry";
}

/// <summary>The <c>Registry:Logging</c> section.</summary>
public sealed class RegistryLoggingOptions
{
    public const string Section = "Registry:Logging";

    /// <summary>One JSON object a line on the console (with scopes: the request id among them) instead of the plain format. Default false.</summary>
    public bool Json { get; set; }
}
