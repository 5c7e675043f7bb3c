using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>One declared rule as the configuration writes it; each kind adds its own fields.</summary>
public abstract class RuleEntry
{
    [JsonPropertyName("namespace")] public string Namespace { get; set; } = "";
}

/// <summary>
/// The rules of one kind that the configuration declares, in both places it has: a list of the
/// configuration file (<c>Registry:Auth:ConfigPath</c>, beside users, namespaces and webhooks) and the
/// list <c>Registry:Policies:&lt;Section&gt;</c> (appsettings, environment, Helm values; also without token
/// auth). A wrong declaration, or one pattern declared twice, stops the start with the reason.
/// </summary>
public static class RuleDeclarations
{
    /// <param name="fileProperty">The list's name in the configuration file: <c>immutability</c>, <c>quotas</c>.</param>
    /// <param name="section">The list's key under <c>Registry:Policies</c>: <c>Immutability</c>, <c>Quotas</c>.</param>
    /// <param name="validate">The rule an entry declares; throws the admin API's 400 when it is wrong.</param>
    public static async Task<TRule[]> ReadAsync<TEntry, TRule>(
        IConfiguration configuration, string fileProperty, string section, Func<TEntry, TRule> validate, CancellationToken cancellationToken)
        where TEntry : RuleEntry
        where TRule : INamespaceRule<TRule>
    {
        var declared = configuration.GetSection($"{PolicyOptions.Section}:{section}").Get<List<TEntry>>() ?? [];
        if (await RegistryConfigurationFile.ReadAsync<JsonObject>(configuration, cancellationToken) is { } file
            && file[fileProperty]?.Deserialize<List<TEntry>>() is { } listed)
        {
            declared.AddRange(listed);
        }

        var rules = new Dictionary<string, TRule>(StringComparer.Ordinal);
        foreach (var entry in declared)
        {
            try
            {
                var rule = validate(entry);
                if (!rules.TryAdd(rule.Pattern, rule))
                {
                    throw AdminRequests.BadRequest("declared more than once");
                }
            }
            catch (OciException error)
            {
                throw new InvalidOperationException($"the {fileProperty} entry for '{entry.Namespace}' of the configuration: {error.Errors[0].Message}", error);
            }
        }

        return [.. rules.Values];
    }
}
