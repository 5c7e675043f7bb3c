namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>The tags of a namespace that, once pushed, name their manifest for good: never moved, never deleted.</summary>
[GenerateSerializer, Immutable, Alias("immutability-rule")]
public sealed record ImmutabilityRule
{
    /// <summary>A namespace pattern, as the auth namespaces have: <c>*</c>, <c>team/*</c> or a repository name.</summary>
    [Id(0)] public required string Pattern { get; init; }

    /// <summary>Tag globs (<c>*</c>, <c>?</c>): <c>v*</c>, <c>release-*</c>.</summary>
    [Id(1)] public required string[] Tags { get; init; }

    /// <summary><c>api</c> or <c>configuration</c> (the configuration wins at every start).</summary>
    [Id(2)] public string Source { get; init; } = RuleSources.Api;
}

/// <summary>Every rule at one version; immutable, so a silo's copy is shared by every request.</summary>
[GenerateSerializer, Immutable, Alias("immutability-snapshot")]
public sealed record ImmutabilitySnapshot
{
    public static readonly ImmutabilitySnapshot Empty = new();

    [Id(0)] public long Version { get; init; }
    [Id(1)] public ImmutabilityRule[] Rules { get; init; } = [];
}

/// <summary>The result of a change: whether the rule existed before, and the rules after.</summary>
[GenerateSerializer, Immutable, Alias("immutability-change")]
public sealed record ImmutabilityChange(
    [property: Id(0)] bool Existed,
    [property: Id(1)] ImmutabilitySnapshot Snapshot);

public static class RuleSources
{
    public const string Api = "api";
    public const string Configuration = "configuration";
}
