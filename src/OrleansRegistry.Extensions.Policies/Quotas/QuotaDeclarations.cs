using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Quotas;

/// <summary>
/// The quotas of the configuration (<see cref="RuleDeclarations"/>): the <c>quotas</c> list of the
/// configuration file and <c>Registry:Policies:Quotas</c>, applied at every start like immutability rules.
/// <code>
/// "quotas": [ { "namespace": "team/*", "bytes": 10737418240 } ]
/// </code>
/// </summary>
public static class QuotaDeclarations
{
    public sealed class Entry : RuleEntry
    {
        [JsonPropertyName("bytes")] public long? Bytes { get; set; }
    }

    public static Task<QuotaRule[]> ReadAsync(IConfiguration configuration, CancellationToken cancellationToken) =>
        RuleDeclarations.ReadAsync<Entry, QuotaRule>(configuration, "quotas", "Quotas",
            entry => QuotaRule.Validate(entry.Namespace, entry.Bytes, RuleSources.Configuration), cancellationToken);
}
