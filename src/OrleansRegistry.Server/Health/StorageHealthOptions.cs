namespace OrleansRegistry.Server.Health;

/// <summary>The <c>Registry:Health</c> section: the storage probe of every silo.</summary>
public sealed class StorageHealthOptions
{
    public const string Section = "Registry:Health";

    /// <summary>How often the blob store and the grain storage are probed. Default 30 seconds; zero or less turns the probe off.</summary>
    public TimeSpan StorageProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one store's probe may take before it counts as failed. Default 10 seconds.</summary>
    public TimeSpan StorageProbeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
