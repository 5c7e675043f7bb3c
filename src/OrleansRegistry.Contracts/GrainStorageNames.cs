namespace OrleansRegistry.Contracts;

/// <summary>Names of the grain storage providers the grains use.</summary>
public static class GrainStorageNames
{
    /// <summary>All registry metadata (repositories, uploads, blob index, catalog).</summary>
    public const string Registry = "registry";
}
