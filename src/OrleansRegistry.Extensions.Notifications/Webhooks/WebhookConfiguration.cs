using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>
/// The <c>webhooks</c> of the configuration file (<c>Registry:Auth:ConfigPath</c>, beside users and
/// namespaces), applied once the silo runs, with the same precedence: a webhook of the file replaces
/// one of the same name at every start; others, made through the API, stay. A webhook the file gets
/// wrong stops the start with the reason.
/// <code>
/// "webhooks": [ { "name": "ci", "url": "https://ci.example/hook", "secret": "whsec_...", "events": ["push"], "repositories": "team/*" } ]
/// </code>
/// </summary>
public sealed class WebhookConfiguration(IConfiguration configuration, IGrainFactory grains, WebhookEndpoints endpoints, ILogger<WebhookConfiguration> logger)
    : IHostedService
{
    private sealed class FileEntry
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
        var path = configuration["Registry:Auth:ConfigPath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        var file = JsonSerializer.Deserialize<FileShape>(await File.ReadAllTextAsync(path, cancellationToken),
            new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) ?? new FileShape();
        if (file.Webhooks.Count == 0)
        {
            return;
        }

        var webhooks = new List<Webhook>();
        foreach (var entry in file.Webhooks)
        {
            try
            {
                webhooks.Add(await endpoints.ValidateAsync(entry.Name, new WebhookEndpoints.WebhookBody(
                    entry.Url, entry.Secret, entry.Events, entry.Repositories, entry.Format, entry.Enabled), WebhookSources.Configuration, cancellationToken));
            }
            catch (Core.Errors.OciException error)
            {
                throw new InvalidOperationException($"{path}: webhook '{entry.Name}': {error.Message}", error);
            }
        }

        await grains.GetGrain<IWebhookDirectoryGrain>(WebhookDirectory.Key).ApplyConfiguration([.. webhooks]);
        logger.LogInformation("webhooks of the configuration file applied: {Webhooks}", string.Join(", ", webhooks.Select(w => w.Name)));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
