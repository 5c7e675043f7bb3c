using OrleansRegistry.Contracts;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>
/// Which tags and manifests of each repository of a namespace stay, in Harbor's model: the keep rules
/// only retain, and a tag that any of them keeps stays (so does every immutable tag); retention deletes
/// the others. Without a keep rule no tag is deleted (only untagged manifests, with <see cref="RemoveUntagged"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("retention-rule")]
public sealed record RetentionRule : INamespaceRule<RetentionRule>
{
    public static readonly TimeSpan DefaultSchedule = TimeSpan.FromDays(1);

    [Id(0)] public required string Pattern { get; init; }

    /// <summary>Keep the N tags pushed most recently.</summary>
    [Id(1)] public int? KeepLastPushed { get; init; }

    [Id(2)] public int? KeepPushedWithinDays { get; init; }

    /// <summary>Keep tags whose manifest was pulled (by any tag or by digest) within this many days.</summary>
    [Id(3)] public int? KeepPulledWithinDays { get; init; }

    /// <summary>Keep tags matching any of these globs (<c>*</c>, <c>?</c>).</summary>
    [Id(4)] public string[] KeepTags { get; init; } = [];

    /// <summary>Also delete the manifests that are untagged (or left untagged by the run) and that nothing keeps.</summary>
    [Id(5)] public bool RemoveUntagged { get; init; }

    /// <summary>Time between scheduled runs.</summary>
    [Id(6)] public TimeSpan Schedule { get; init; } = DefaultSchedule;

    [Id(7)] public string Source { get; init; } = RuleSources.Api;

    /// <summary>Whether any keep rule is given: only then are tags deleted.</summary>
    public bool HasKeepRules => KeepLastPushed is not null || KeepPushedWithinDays is not null || KeepPulledWithinDays is not null || KeepTags.Length > 0;

    public RetentionRule Declared() => this with { Source = RuleSources.Configuration };
}

/// <summary>The retention rules of the cluster, one per namespace pattern (one grain, key <see cref="Key"/>).</summary>
[Alias("retention-rules")]
public interface IRetentionGrain : INamespaceRuleGrain<RetentionRule>
{
    const string Key = "retention";
}

[GenerateSerializer, Alias("retention-state")]
public sealed class RetentionState : INamespaceRuleState<RetentionRule>
{
    [Id(0)] public long Version { get; set; }
    [Id(1)] public Dictionary<string, RetentionRule> Rules { get; set; } = new(StringComparer.Ordinal);
}

public sealed class RetentionGrain(
    [PersistentState("retention", GrainStorageNames.Registry)] IPersistentState<RetentionState> state)
    : NamespaceRuleGrain<RetentionRule, RetentionState>(state), IRetentionGrain;
