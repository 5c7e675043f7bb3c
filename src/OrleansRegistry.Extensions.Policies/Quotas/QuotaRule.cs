using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Quotas;

/// <summary>The most bytes of unique content the manifests of a namespace may take.</summary>
[GenerateSerializer, Immutable, Alias("quota-rule")]
public sealed record QuotaRule : INamespaceRule<QuotaRule>
{
    [Id(0)] public required string Pattern { get; init; }

    [Id(1)] public required long Bytes { get; init; }

    [Id(2)] public string Source { get; init; } = RuleSources.Api;

    public QuotaRule Declared() => this with { Source = RuleSources.Configuration };

    /// <summary>A quota as the admin API or the configuration declares it; a 400 naming what is wrong otherwise.</summary>
    public static QuotaRule Validate(string pattern, long? bytes, string source) => new()
    {
        Pattern = RuleInput.RequirePattern(pattern),
        Bytes = bytes is >= 0 ? bytes.Value : throw AdminRequests.BadRequest("bytes must be a whole number of bytes, 0 or more"),
        Source = source,
    };
}

/// <summary>The quotas of the cluster, one per namespace pattern (one grain, key <see cref="Key"/>).</summary>
[Alias("quota-rules")]
public interface IQuotaGrain : INamespaceRuleGrain<QuotaRule>
{
    const string Key = "quotas";
}

[GenerateSerializer, Alias("quota-state")]
public sealed class QuotaState : INamespaceRuleState<QuotaRule>
{
    [Id(0)] public long Version { get; set; }
    [Id(1)] public Dictionary<string, QuotaRule> Rules { get; set; } = new(StringComparer.Ordinal);
}

public sealed class QuotaGrain(
    [PersistentState("quotas", GrainStorageNames.Registry)] IPersistentState<QuotaState> state)
    : NamespaceRuleGrain<QuotaRule, QuotaState>(state), IQuotaGrain;
