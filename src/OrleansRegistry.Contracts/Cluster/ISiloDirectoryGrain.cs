using Orleans.Concurrency;

namespace OrleansRegistry.Contracts.Cluster;

/// <summary>
/// The HTTP base URLs of the gateway silos. Orleans membership knows silo and gateway endpoints,
/// not HTTP URLs, so every silo publishes its own here; the edge joins this with membership's list
/// of active silos, so a dead silo's entry is ignored until it is pruned.
/// </summary>
[Alias("silo-directory")]
public interface ISiloDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Publishes (or refreshes) a silo's HTTP URL; the key is the silo address in parsable form.</summary>
    [Alias("register")]
    Task Register(string silo, string url);

    [Alias("unregister")]
    Task Unregister(string silo);

    /// <summary>Drops entries of silos that are not in <paramref name="live"/>.</summary>
    [Alias("prune")]
    Task Prune(string[] live);

    [AlwaysInterleave, Alias("get-all")]
    Task<Dictionary<string, string>> GetAll();
}
