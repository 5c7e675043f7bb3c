namespace OrleansRegistry.Extensions.Audit;

/// <summary>The <c>Registry:Audit</c> section. Every key is in docs/configuration.md.</summary>
public sealed class AuditOptions
{
    public const string Section = "Registry:Audit";

    /// <summary>A silo's log is closed and a new one begun past this size. Default 16 MiB.</summary>
    public long MaxFileBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>At most this many logs are kept, of all silos together (those appended to least recently go first). Default 16 (256 MiB with the default size).</summary>
    public int MaxFiles { get; set; } = 16;
}
