namespace OrleansRegistry.IntegrationTests.Cluster;

/// <summary>Cluster tests run one at a time: each starts Redis, Azurite and several silos on two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
