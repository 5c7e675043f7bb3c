using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>
/// The immutability rules of the configuration: the <c>immutability</c> list of the configuration file
/// (<c>Registry:Auth:ConfigPath</c>, beside users, namespaces and webhooks) and the list
/// <c>Registry:Policies:Immutability</c> (appsettings, environment, Helm values; also without token
/// auth). Applied at every start with the precedence of users, namespaces and webhooks: a declared
/// rule replaces the stored one of the same pattern; rules made through the API for other patterns
/// stay. A wrong declaration, or one pattern declared twice, stops the start with the reason.
/// <code>
/// "immutability": [ { "namespace": "team/*", "tags": ["v*", "release-*"] } ]
/// </code>
/// </summary>
public static class ImmutabilityDeclarations
{
    public sealed class Entry
    {
        [JsonPropertyName("namespace")] public string Namespace { get; set; } = "";
        [JsonPropertyName("tags")] public string?[]? Tags { get; set; }
    }

    private sealed class FileShape
    {
        [JsonPropertyName("immutability")] public List<Entry> Immutability { get; set; } = [];
    }

    public static async Task<ImmutabilityRule[]> ReadAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        var declared = configuration.GetSection(PolicyOptions.Section + ":Immutability").Get<List<Entry>>() ?? [];
        if (await RegistryConfigurationFile.ReadAsync<FileShape>(configuration, cancellationToken) is { } file)
        {
            declared.AddRange(file.Immutability);
        }

        var rules = new Dictionary<string, ImmutabilityRule>(StringComparer.Ordinal);
        foreach (var entry in declared)
        {
            try
            {
                var rule = ImmutabilityRuleInput.Validate(entry.Namespace, entry.Tags, RuleSources.Configuration);
                if (!rules.TryAdd(rule.Pattern, rule))
                {
                    throw ImmutabilityRuleInput.BadRequest("declared more than once");
                }
            }
            catch (OciException error)
            {
                throw new InvalidOperationException($"immutability rule for '{entry.Namespace}' of the configuration: {error.Errors[0].Message}", error);
            }
        }

        return [.. rules.Values];
    }
}
