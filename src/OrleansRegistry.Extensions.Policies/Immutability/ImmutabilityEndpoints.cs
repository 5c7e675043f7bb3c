using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary><c>PUT /api/v1/namespaces/{pattern}/immutability</c> <c>{"tags": ["v*", "release-*"]}</c>, <c>GET</c> and <c>DELETE</c>.</summary>
public sealed class ImmutabilityEndpoints(IGrainFactory grains, ImmutabilityPolicy policy)
    : NamespaceRuleEndpoints<ImmutabilityRule, ImmutabilityEndpoints.ImmutabilityBody>(
        "immutability", grains.GetGrain<IImmutabilityGrain>(IImmutabilityGrain.Key), policy)
{
    public sealed record ImmutabilityBody(string?[]? Tags);

    protected override ImmutabilityRule Validate(string pattern, ImmutabilityBody body) => ImmutabilityRuleInput.Validate(pattern, body.Tags, RuleSources.Api);

    protected override Task<object> DescribeAsync(ImmutabilityRule rule) =>
        Task.FromResult<object>(new { @namespace = rule.Pattern, tags = rule.Tags, source = rule.Source });
}
