namespace OrleansRegistry.Extensions.Policies;

/// <summary>The <c>Registry:Policies</c> section. Every key is in docs/configuration.md.</summary>
public sealed class PolicyOptions
{
    public const string Section = "Registry:Policies";

    /// <summary>
    /// How often each silo reads the rules again: a change made through another silo's admin API is
    /// enforced here within this time (the silo that took it enforces it at once). Default 2 s.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Untagged manifests pushed within this time are not removed by retention's <c>removeUntagged</c>: a
    /// client pushes an index's children (untagged) before the index that tags them. Default 1 hour.
    /// </summary>
    public TimeSpan RetentionUntaggedGrace { get; set; } = TimeSpan.FromHours(1);
}
