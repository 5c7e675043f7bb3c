using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>This silo's copy of the retention rules: which runners <see cref="RetentionPump"/> pokes. Retention refuses no write.</summary>
public sealed class RetentionPolicy() : RuleCopy<RetentionRule, RuleSnapshot<RetentionRule>>(snapshot => snapshot);
