using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace OrleansRegistry.Contracts.Extensions;

/// <summary>
/// The configuration file of <c>Registry:Auth:ConfigPath</c> as extensions read their declarations from
/// it (webhooks, immutability rules, beside the users and namespaces of auth): JSON with comments and
/// trailing commas; properties a reader does not know are ignored.
/// </summary>
public static class RegistryConfigurationFile
{
    public const string PathKey = "Registry:Auth:ConfigPath";

    /// <summary>The file read as <typeparamref name="T"/>, or null when no file is configured.</summary>
    public static async Task<T?> ReadAsync<T>(IConfiguration configuration, CancellationToken cancellationToken)
        where T : class
    {
        var path = configuration[PathKey];
        return string.IsNullOrWhiteSpace(path)
            ? null
            : JsonSerializer.Deserialize<T>(await File.ReadAllTextAsync(path, cancellationToken),
                new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
    }
}
