namespace OrleansRegistry.Extensions.Audit;

/// <summary>The <c>Registry:Audit</c> section. Every key is in docs/configuration.md.</summary>
public sealed class AuditOptions
{
    public const string Section = "Registry:Audit";

    /// <summary>Where the files go. Default <c>&lt;Registry:DataPath&gt;/audit</c>.</summary>
    public string? Path { get; set; }

    /// <summary>A file is closed and a new one begun past this size. Default 16 MiB.</summary>
    public long MaxFileBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>At most this many files are kept (the oldest go first). Default 16 (256 MiB with the default size).</summary>
    public int MaxFiles { get; set; } = 16;
}
