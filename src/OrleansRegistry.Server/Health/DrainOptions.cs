namespace OrleansRegistry.Server.Health;

/// <summary>The <c>Registry:Drain</c> section: how a silo stops on SIGTERM.</summary>
public sealed class DrainOptions
{
    public const string Section = "Registry:Drain";

    /// <summary>
    /// How long readiness reports false while requests are still served, before new requests are
    /// refused, so a load balancer stops routing here first. Default 0 (set it to a few seconds
    /// behind a Kubernetes Service).
    /// </summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>How long requests in flight (a long upload included) may take to finish. Default 5 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}
