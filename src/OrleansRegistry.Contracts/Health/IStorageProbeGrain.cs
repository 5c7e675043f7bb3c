namespace OrleansRegistry.Contracts.Health;

/// <summary>
/// Checks the grain storage provider for the storage health probe of a silo: one grain per silo
/// endpoint, activated on that silo (local placement), whose state is written, read back and
/// cleared on every probe, so nothing is left behind in the storage.
/// </summary>
[Alias("storage-probe")]
public interface IStorageProbeGrain : IGrainWithStringKey
{
    /// <summary>Writes <paramref name="stamp"/>, reads it back from storage and clears the state; throws what the storage threw.</summary>
    [Alias("probe")]
    Task Probe(string stamp);
}
