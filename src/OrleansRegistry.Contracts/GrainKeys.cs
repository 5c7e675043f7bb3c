namespace OrleansRegistry.Contracts;

/// <summary>The keys of the grains there is one of per cluster.</summary>
public static class GrainKeys
{
    /// <summary>The <see cref="Catalog.ICatalogGrain"/>: every repository name.</summary>
    public const string Catalog = "catalog";

    /// <summary>The <see cref="Cluster.ISiloDirectoryGrain"/>: the silos' HTTP URLs, for the edge.</summary>
    public const string SiloDirectory = "silos";

    /// <summary>The <see cref="Auth.IAuthDirectoryGrain"/>: users, robots, namespaces and grants.</summary>
    public const string AuthDirectory = "directory";
}
