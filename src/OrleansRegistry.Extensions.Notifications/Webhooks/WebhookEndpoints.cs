using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.References;
using OrleansRegistry.Hosting.Outbound;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>
/// <c>/api/v1/webhooks</c>: <c>PUT /webhooks/{name}</c> (create or replace), <c>GET /webhooks</c>,
/// <c>GET /webhooks/{name}</c> (with delivery status), <c>DELETE /webhooks/{name}</c>,
/// <c>POST /webhooks/{name}/redeliver</c> (dead letters once more). Secrets are never returned.
/// </summary>
public sealed partial class WebhookEndpoints(IGrainFactory grains, OutboundPolicy policy, WebhookSubscriber subscriber)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    private IWebhookDirectoryGrain Directory => grains.GetGrain<IWebhookDirectoryGrain>(WebhookDirectory.Key);

    public sealed record WebhookBody(string? Url, string? Secret, string[]? Events, string? Repositories, string? Format, bool? Enabled);

    public void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/webhooks", ListAsync);
        api.MapGet("/webhooks/{name}", GetAsync);
        api.MapPut("/webhooks/{name}", PutAsync);
        api.MapDelete("/webhooks/{name}", DeleteAsync);
        api.MapPost("/webhooks/{name}/redeliver", RedeliverAsync);
    }

    /// <summary>Checks a declaration, from the API or the configuration file; the message says what is wrong.</summary>
    public async Task<Webhook> ValidateAsync(string name, WebhookBody body, string source, CancellationToken cancellationToken)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw BadRequest($"invalid webhook name '{(name.Length > 64 ? name[..64] : name)}'");
        }

        if (!Uri.TryCreate(body.Url, UriKind.Absolute, out var url))
        {
            throw BadRequest("url must be an absolute http or https URL");
        }

        if (await policy.RefusalAsync(url, cancellationToken) is { } refusal)
        {
            throw BadRequest($"url refused by the outbound policy: {refusal}");
        }

        var events = body.Events is { Length: > 0 } ? body.Events : WebhookEvents.Default;
        if (events.FirstOrDefault(e => !WebhookEvents.Kinds.Contains(e)) is { } unknown)
        {
            throw BadRequest($"unknown event '{unknown}' (use {string.Join(", ", WebhookEvents.Kinds)})");
        }

        var repositories = body.Repositories ?? "*";
        if (!NamespacePattern.IsValid(repositories))
        {
            throw BadRequest($"invalid repositories pattern '{repositories}' (use name/*, * or a repository name)");
        }

        var format = body.Format ?? WebhookFormats.CloudEvents;
        if (format is not (WebhookFormats.CloudEvents or WebhookFormats.Distribution))
        {
            throw BadRequest("format must be cloudevents or distribution");
        }

        return new Webhook
        {
            Name = name,
            Url = url.ToString(),
            Secret = body.Secret,
            Events = [.. events.Distinct(StringComparer.Ordinal)],
            Repositories = repositories,
            Format = format,
            Enabled = body.Enabled ?? true,
            Source = source,
        };
    }

    private async Task<IResult> ListAsync() =>
        Results.Json(new { webhooks = (await Directory.List()).Select(Describe) });

    private async Task<IResult> GetAsync(string name)
    {
        var webhook = await FindAsync(name);
        var status = await Directory.GetStatus(name);
        var deliveries = await Task.WhenAll(Enumerable.Range(0, EventPartitions.Count)
            .Select(p => grains.GetGrain<IEventDeliveryGrain>(EventDeliveryKey.Of(webhook.Consumer, p)).GetStatus()));
        var oldest = deliveries.Select(d => d.OldestPending).Where(t => t is not null).Min();
        return Results.Json(new
        {
            webhook = Describe(webhook),
            status = new
            {
                lastStatus = status.LastStatus,
                lastAttempt = status.LastAttempt,
                lastError = status.LastError,
                delivered = status.Delivered,
                failures = status.Failures,
                deadLettered = status.DeadLettered,
                pending = deliveries.Sum(d => Math.Max(0, d.Last - d.Checkpoint)),
                oldestPending = oldest,
            },
        });
    }

    private async Task<IResult> PutAsync(string name, HttpContext context)
    {
        var body = (await AdminRequests.ReadJsonAsync<WebhookBody>(context))!;

        var webhook = await ValidateAsync(name, body, WebhookSources.Api, context.RequestAborted);
        var existed = await Directory.Put(webhook);
        await subscriber.RefreshAsync();
        return Results.Json(Describe(webhook), statusCode: existed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    }

    private async Task<IResult> DeleteAsync(string name)
    {
        if (!await Directory.Delete(name))
        {
            throw NotFound(name);
        }

        await subscriber.RefreshAsync();
        return Results.NoContent();
    }

    private async Task<IResult> RedeliverAsync(string name, HttpContext context)
    {
        var webhook = await FindAsync(name);
        var (delivered, failed) = await subscriber.RedeliverAsync(webhook, context.RequestAborted);
        return Results.Json(new { redelivered = delivered, failed });
    }

    private async Task<Webhook> FindAsync(string name) =>
        (await Directory.List()).FirstOrDefault(w => w.Name == name) ?? throw NotFound(name);

    private static object Describe(Webhook w) => new
    {
        name = w.Name,
        url = w.Url,
        events = w.Events,
        repositories = w.Repositories,
        format = w.Format,
        enabled = w.Enabled,
        disabledReason = w.DisabledReason,
        signed = !string.IsNullOrEmpty(w.Secret),
        source = w.Source,
    };

    private static OciException BadRequest(string message) => AdminRequests.BadRequest(message);

    private static OciException NotFound(string name) =>
        new(OciErrorCode.NameUnknown, $"no webhook '{(name.Length > 64 ? name[..64] : name)}'", statusCode: StatusCodes.Status404NotFound);
}
