using OrleansRegistry.Contracts.Policies;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>Immutable tags as a write policy: this silo's copy of the rules, answered from memory.</summary>
public sealed class ImmutabilityPolicy() : RuleCopy<ImmutabilityRule, ImmutabilityRuleSet>(snapshot => new(snapshot)), IWritePolicy
{
    public bool Governs(string repository) => Current.Governs(repository);

    /// <inheritdoc cref="ImmutabilityRuleSet.Protection"/>
    public string? Protection(string repository, string tag) => Current.Protection(repository, tag);

    public ValueTask<WriteDecision> DecideAsync(WriteRequest write, CancellationToken cancellationToken) => ValueTask.FromResult(Current.Decide(write));
}
