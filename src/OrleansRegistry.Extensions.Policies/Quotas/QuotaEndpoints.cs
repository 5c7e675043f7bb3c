using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Quotas;

/// <summary>
/// <c>PUT /api/v1/namespaces/{pattern}/quota</c> <c>{"bytes": N}</c>, <c>GET</c> (<c>{"bytes", "used"}</c>) and
/// <c>DELETE</c>. A PUT counts the namespace's usage again from its repositories before it answers.
/// </summary>
public sealed class QuotaEndpoints(IGrainFactory grains, QuotaPolicy policy)
    : NamespaceRuleEndpoints<QuotaRule, QuotaEndpoints.QuotaBody>("quota", grains.GetGrain<IQuotaGrain>(IQuotaGrain.Key), policy)
{
    public sealed record QuotaBody(long? Bytes);

    protected override QuotaRule Validate(string pattern, QuotaBody body) => QuotaRule.Validate(pattern, body.Bytes, RuleSources.Api);

    protected override async Task<object> DescribeAsync(QuotaRule rule) =>
        new { @namespace = rule.Pattern, bytes = rule.Bytes, used = await Usage(rule.Pattern).Used(), source = rule.Source };

    protected override Task StoredAsync(QuotaRule rule) => Usage(rule.Pattern).Recount();

    protected override Task DeletedAsync(string pattern) => Usage(pattern).Forget();

    private IQuotaUsageGrain Usage(string pattern) => grains.GetGrain<IQuotaUsageGrain>(pattern);
}
