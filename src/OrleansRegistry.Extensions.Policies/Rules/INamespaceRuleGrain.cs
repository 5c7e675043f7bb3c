using Orleans.Concurrency;

namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>
/// The rules of one kind, one per namespace pattern, in one grain. Every change is persisted before it
/// returns and bumps the version, which each silo's <see cref="RuleCopy{TRule, TView}"/> polls.
/// </summary>
[Alias("namespace-rules`1")]
public interface INamespaceRuleGrain<TRule> : IGrainWithStringKey
    where TRule : INamespaceRule<TRule>
{
    [AlwaysInterleave, Alias("snapshot")]
    Task<RuleSnapshot<TRule>> GetSnapshot();

    /// <summary>Creates or replaces the rule of the rule's pattern.</summary>
    [Alias("put")]
    Task<RuleChange<TRule>> Put(TRule rule);

    /// <summary>Removes the rule of a pattern; <see cref="RuleChange{TRule}.Existed"/> says whether there was one.</summary>
    [Alias("delete")]
    Task<RuleChange<TRule>> Delete(string pattern);

    /// <summary>The configuration's rules, applied at start in one write: they replace those of the same pattern; others stay.</summary>
    [Alias("apply-configuration")]
    Task<RuleSnapshot<TRule>> ApplyConfiguration(TRule[] rules);
}
