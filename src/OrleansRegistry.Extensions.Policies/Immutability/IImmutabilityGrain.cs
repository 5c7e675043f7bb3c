using Orleans.Concurrency;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>
/// The immutability rules of the cluster, one per namespace pattern (one grain, key
/// <see cref="Key"/>). Every change is persisted before it returns and bumps the version, which
/// each silo's <see cref="ImmutabilityPolicy"/> polls.
/// </summary>
[Alias("immutability-rules")]
public interface IImmutabilityGrain : IGrainWithStringKey
{
    const string Key = "immutability";

    [AlwaysInterleave, Alias("snapshot")]
    Task<ImmutabilitySnapshot> GetSnapshot();

    /// <summary>Creates or replaces the rule of <see cref="ImmutabilityRule.Pattern"/>.</summary>
    [Alias("put")]
    Task<ImmutabilityChange> Put(ImmutabilityRule rule);

    /// <summary>Removes the rule of a pattern; <see cref="ImmutabilityChange.Existed"/> says whether there was one.</summary>
    [Alias("delete")]
    Task<ImmutabilityChange> Delete(string pattern);

    /// <summary>The configuration's rules, applied at start in one write: they replace those of the same pattern; others stay.</summary>
    [Alias("apply-configuration")]
    Task<ImmutabilitySnapshot> ApplyConfiguration(ImmutabilityRule[] rules);
}
