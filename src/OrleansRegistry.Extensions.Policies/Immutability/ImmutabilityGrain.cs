using OrleansRegistry.Contracts;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Immutability;

[GenerateSerializer, Alias("immutability-state")]
public sealed class ImmutabilityState : INamespaceRuleState<ImmutabilityRule>
{
    [Id(0)] public long Version { get; set; }
    [Id(1)] public Dictionary<string, ImmutabilityRule> Rules { get; set; } = new(StringComparer.Ordinal);
}

public sealed class ImmutabilityGrain(
    [PersistentState("immutability", GrainStorageNames.Registry)] IPersistentState<ImmutabilityState> state)
    : NamespaceRuleGrain<ImmutabilityRule, ImmutabilityState>(state), IImmutabilityGrain;
