using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>The immutability rules of the cluster, one per namespace pattern (one grain, key <see cref="Key"/>).</summary>
[Alias("immutability-rules")]
public interface IImmutabilityGrain : INamespaceRuleGrain<ImmutabilityRule>
{
    const string Key = "immutability";
}
