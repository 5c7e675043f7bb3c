using Microsoft.Extensions.Configuration;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>
/// The retention rules of the configuration (<see cref="RuleDeclarations"/>): the <c>retention</c> list of the
/// configuration file and <c>Registry:Policies:Retention</c>, applied at every start like immutability rules.
/// <code>
/// "retention": [ { "namespace": "team/*", "keepLastPushed": 10, "keepTags": ["v*"], "removeUntagged": true } ]
/// </code>
/// </summary>
public static class RetentionDeclarations
{
    public static Task<RetentionRule[]> ReadAsync(IConfiguration configuration, CancellationToken cancellationToken) =>
        RuleDeclarations.ReadAsync<RetentionEntry, RetentionRule>(configuration, "retention", "Retention",
            entry => RetentionRuleInput.Validate(entry.Namespace, entry, RuleSources.Configuration), cancellationToken);
}
