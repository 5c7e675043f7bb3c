namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>The <c>Registry:Gc</c> section. Every key is in docs/configuration.md.</summary>
public sealed class GcOptions
{
    public const string Section = "Registry:Gc";

    /// <summary>Whether garbage collection runs on its schedule. Default true; <c>POST /api/v1/gc</c> runs it either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long content stays after it was last touched (uploaded, mounted, read, referenced) or last held
    /// by a repository, before it may be deleted. Default 24 hours: a client between its blob uploads and
    /// its manifest <c>PUT</c> is never collected from under.
    /// </summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Time between the start of one scheduled run and the next. Default 1 hour.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many repositories, and how many stored blobs, a run works on at once. Default 8.</summary>
    public int Parallelism { get; set; } = 8;

    /// <summary>
    /// Namespace patterns (as for namespaces: <c>team/*</c>) whose untagged manifests are collected: those
    /// no tag, index or kept manifest (as a referrer's subject) keeps, pushed and read longer ago than the
    /// grace period. Default none: untagged manifests stay.
    /// </summary>
    public string[] UntaggedNamespaces { get; set; } = [];

    /// <summary>Runs kept for <c>GET /api/v1/gc</c>. Default 20.</summary>
    public int History { get; set; } = 20;
}
