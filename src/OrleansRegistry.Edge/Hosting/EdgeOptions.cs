using OrleansRegistry.Hosting.Transport;

namespace OrleansRegistry.Edge.Hosting;

/// <summary>The <c>Edge</c> configuration section. Every key is listed in docs/configuration.md.</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>How the edge reaches the cluster: <c>Redis</c> (<c>ConnectionStrings:Redis</c>) or <c>Localhost</c>. Default Redis.</summary>
    public string Clustering { get; set; } = "Redis";

    /// <summary>Orleans cluster id of the silos. Default <c>orleans-registry</c>.</summary>
    public string ClusterId { get; set; } = "orleans-registry";

    /// <summary>Orleans service id of the silos. Default <c>orleans-registry</c>.</summary>
    public string ServiceId { get; set; } = "orleans-registry";

    /// <summary>Gateway port of the silo, with localhost clustering only. Default 30000.</summary>
    public int LocalhostGatewayPort { get; set; } = 30000;

    /// <summary>How often the list of live silos is read from the cluster. Default 1 second.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Interval of the active health check of every silo's <c>/readyz</c>. Default 2 seconds.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a proxied request may go without a byte moving either way (YARP's default is 100 s,
    /// too short for a slow client's large upload between two chunks of progress). Default 30 minutes.
    /// </summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How many other silos a request is sent to when the one chosen could not be reached: its
    /// connection failed (any request), or a request without a body (not a DELETE) failed before its
    /// response began. A silo that died stays a destination for a few seconds (until membership or a
    /// health check drops it); without this, requests sent there meanwhile were answered 502.
    /// Default 2; 0 turns it off.
    /// </summary>
    public int RetryOnOtherSilos { get; set; } = 2;

    /// <summary>How long requests in flight may take to finish on SIGTERM. Default 5 minutes.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// On SIGTERM, how long readiness is false while new requests are still proxied, before they are
    /// answered 503, so a load balancer stops sending here first. Default 0.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Size of the blocks Kestrel receives into and sends from. Default 256 KiB: the edge only copies
    /// bytes from one socket to another, and a chunked push through it ran 17% faster than with the
    /// silos' 64 KiB (benchmarks/README.md), for 256 KiB held per connection with bytes in flight
    /// (idle connections hold none). Kestrel's own pool has 4 KiB blocks; 0 keeps it.
    /// </summary>
    public int TransportBlockBytes { get; set; } = 256 * 1024;

    /// <summary>TLS termination at the edge.</summary>
    public EdgeTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Networks (CIDR) whose X-Forwarded-* headers are trusted, e.g. a cloud load balancer in front.
    /// Default none: the edge sets X-Forwarded-* itself from the connection.
    /// </summary>
    public string[] TrustedProxyNetworks { get; set; } = [];
}

public sealed class EdgeTlsOptions
{
    /// <summary>PEM certificate (chain) file; with <see cref="KeyPath"/>, enables HTTPS on https:// URLs. Reloaded when it changes.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key file of the certificate.</summary>
    public string? KeyPath { get; set; }
}
