using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>
/// The immutability rules of the configuration (<see cref="RuleDeclarations"/>): the <c>immutability</c>
/// list of the configuration file and <c>Registry:Policies:Immutability</c>. Applied at every start: a
/// declared rule replaces the stored one of the same pattern; rules made through the API for other
/// patterns stay.
/// <code>
/// "immutability": [ { "namespace": "team/*", "tags": ["v*", "release-*"] } ]
/// </code>
/// </summary>
public static class ImmutabilityDeclarations
{
    public sealed class Entry : RuleEntry
    {
        [JsonPropertyName("tags")] public string?[]? Tags { get; set; }
    }

    public static Task<ImmutabilityRule[]> ReadAsync(IConfiguration configuration, CancellationToken cancellationToken) =>
        RuleDeclarations.ReadAsync<Entry, ImmutabilityRule>(configuration, "immutability", "Immutability",
            entry => ImmutabilityRuleInput.Validate(entry.Namespace, entry.Tags, RuleSources.Configuration), cancellationToken);
}
