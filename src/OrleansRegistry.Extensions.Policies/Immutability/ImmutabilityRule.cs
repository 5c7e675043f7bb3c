using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>The tags of a namespace that, once pushed, name their manifest for good: never moved, never deleted.</summary>
[GenerateSerializer, Immutable, Alias("immutability-rule")]
public sealed record ImmutabilityRule : INamespaceRule<ImmutabilityRule>
{
    [Id(0)] public required string Pattern { get; init; }

    /// <summary>Tag globs (<c>*</c>, <c>?</c>): <c>v*</c>, <c>release-*</c>.</summary>
    [Id(1)] public required string[] Tags { get; init; }

    [Id(2)] public string Source { get; init; } = RuleSources.Api;

    public ImmutabilityRule Declared() => this with { Source = RuleSources.Configuration };
}
