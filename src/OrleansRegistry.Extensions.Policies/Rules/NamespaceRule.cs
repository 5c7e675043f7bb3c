using OrleansRegistry.Core.References;

namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>A rule of one namespace pattern (an immutability rule, a quota), kept by a <see cref="NamespaceRuleGrain{TRule, TState}"/>.</summary>
public interface INamespaceRule<out TRule>
{
    /// <summary>A namespace pattern, as the auth namespaces have: <c>*</c>, <c>team/*</c> or a repository name.</summary>
    string Pattern { get; }

    /// <summary><see cref="RuleSources.Api"/> or <see cref="RuleSources.Configuration"/> (the configuration wins at every start).</summary>
    string Source { get; }

    /// <summary>This rule as the configuration declares it.</summary>
    TRule Declared();
}

/// <summary>Every rule of one kind at one version; immutable, so a silo's copy is shared by every request.</summary>
[GenerateSerializer, Immutable, Alias("rule-snapshot`1")]
public sealed record RuleSnapshot<TRule>
    where TRule : INamespaceRule<TRule>
{
    public static readonly RuleSnapshot<TRule> Empty = new();

    [Id(0)] public long Version { get; init; }
    [Id(1)] public TRule[] Rules { get; init; } = [];

    /// <summary>The rules whose pattern covers <paramref name="repository"/>.</summary>
    public IEnumerable<TRule> Covering(string repository) => Rules.Where(rule => NamespacePattern.Covers(rule.Pattern, repository));

    public TRule? Of(string pattern) => Rules.FirstOrDefault(rule => rule.Pattern == pattern);
}

/// <summary>The result of a change: whether the pattern had a rule before, and the rules after.</summary>
[GenerateSerializer, Immutable, Alias("rule-change`1")]
public sealed record RuleChange<TRule>(
    [property: Id(0)] bool Existed,
    [property: Id(1)] RuleSnapshot<TRule> Snapshot)
    where TRule : INamespaceRule<TRule>;

public static class RuleSources
{
    public const string Api = "api";
    public const string Configuration = "configuration";
}
