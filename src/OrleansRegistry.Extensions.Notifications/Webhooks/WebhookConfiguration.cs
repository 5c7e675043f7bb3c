using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansRegistry.Contracts.Extensions;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>
/// The webhooks of the configuration: the <c>webhooks</c> of the configuration file
/// (<c>Registry:Auth:ConfigPath</c>, beside users and namespaces) and the list
/// <c>Registry:Notifications:Webhooks</c> (appsettings, environment, Helm values; also without token
/// auth). Applied once the silo runs, with the precedence of users and namespaces: a declared webhook
/// replaces one of the same name at every start; others, made through the API, stay. A declaration
/// that is wrong stops the start with the reason.
/// <code>
/// "webhooks": [ { "name": "ci", "url": "https://ci.example/hook", "secret": "whsec_...", "events": ["push"], "repositories": "team/*" } ]
/// </code>
/// </summary>
public sealed class WebhookConfiguration(IConfiguration configuration, IGrainFactory grains, WebhookEndpoints endpoints, ILogger<WebhookConfiguration> logger)
    : IHostedService
{
    public sealed class FileEntry
    {
        [JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("url")] public string? Url { get; set; }
        [JsonPropertyName("secret")] public string? Secret { get; set; }
        [JsonPropertyName("events")] public string[]? Events { get; set; }
        [JsonPropertyName("repositories")] public string? Repositories { get; set; }
        [JsonPropertyName("format")] public string? Format { get; set; }
        [JsonPropertyName("enabled")] public bool? Enabled { get; set; }
    }

    private sealed class FileShape
    {
        [JsonPropertyName("webhooks")] public List<FileEntry> Webhooks { get; set; } = [];
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var declared = configuration.GetSection(NotificationOptions.Section + ":Webhooks").Get<List<FileEntry>>() ?? [];
        if (await RegistryConfigurationFile.ReadAsync<FileShape>(configuration, cancellationToken) is { } file)
        {
            declared.AddRange(file.Webhooks);
        }

        if (declared.Count == 0)
        {
            return;
        }

        var webhooks = new List<Webhook>();
        foreach (var entry in declared)
        {
            try
            {
                webhooks.Add(await endpoints.ValidateAsync(entry.Name, new WebhookEndpoints.WebhookBody(
                    entry.Url, entry.Secret, entry.Events, entry.Repositories, entry.Format, entry.Enabled), WebhookSources.Configuration, cancellationToken));
            }
            catch (Core.Errors.OciException error)
            {
                throw new InvalidOperationException($"webhook '{entry.Name}' of the configuration: {error.Message}", error);
            }
        }

        await grains.GetGrain<IWebhookDirectoryGrain>(WebhookDirectory.Key).ApplyConfiguration([.. webhooks]);
        logger.LogInformation("webhooks of the configuration file applied: {Webhooks}", string.Join(", ", webhooks.Select(w => w.Name)));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
