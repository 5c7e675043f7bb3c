namespace OrleansRegistry.Server.Dashboard;

/// <summary>The <c>Registry:Dashboard</c> section: the Orleans dashboard (grains, silos, calls) in the silo's HTTP server.</summary>
public sealed class RegistryDashboardOptions
{
    public const string Section = "Registry:Dashboard";

    /// <summary>Whether the dashboard is served. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The path it is served under. Default <c>/dashboard</c>.</summary>
    public string Path { get; set; } = "/dashboard";

    /// <summary>
    /// With <c>Registry:Auth:Mode=None</c>, serve the dashboard to anyone who reaches the server.
    /// Default false: without token authentication the dashboard is not served at all (404), because it
    /// shows every grain (repository names included) and the cluster's internals to whoever asks.
    /// </summary>
    public bool AllowAnonymous { get; set; }
}
