using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>
/// The bodies a webhook receives: a CloudEvents 1.0 structured JSON event (default), or the envelope
/// distribution sends (<c>application/vnd.docker.distribution.events.v2+json</c>) for receivers written for it.
/// </summary>
public static class WebhookPayloads
{
    public const string DistributionMediaType = "application/vnd.docker.distribution.events.v2+json";

    private static readonly JsonEventFormatter Formatter = new(new JsonSerializerOptions(JsonSerializerDefaults.Web), new JsonDocumentOptions());

    private static readonly Uri Source = new("/orleans-registry", UriKind.Relative);

    public static (byte[] Body, string ContentType) Build(Webhook webhook, RegistryEvent e) =>
        webhook.Format == WebhookFormats.Distribution ? (Distribution(e), DistributionMediaType) : CloudEvent(e);

    public static (byte[] Body, string ContentType) CloudEvent(RegistryEvent e)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = e.Id,
            Type = WebhookEvents.CloudEventType(e.Action),
            Source = Source,
            Subject = e.Digest is null ? e.Repository : $"{e.Repository}@{e.Digest}",
            Time = e.Time,
            DataContentType = MediaTypeNames.Application.Json,
            Data = new
            {
                repository = e.Repository,
                digest = e.Digest,
                mediaType = e.MediaType,
                size = e.Size,
                tag = e.Tag,
                action = e.Action,
                count = e.Count,
                sequence = e.Sequence,
                actor = new { name = e.Actor.Name, kind = e.Actor.Kind },
                request = e.Request is { } r ? new { id = r.Id, address = r.Address, userAgent = r.UserAgent, method = r.Method, host = r.Host } : null,
                source = e.Source,
            },
        };
        var body = Formatter.EncodeStructuredModeMessage(cloudEvent, out var contentType);
        return (body.ToArray(), contentType.ToString());
    }

    public static byte[] Distribution(RegistryEvent e) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        events = new[]
        {
            new
            {
                id = e.Id,
                timestamp = e.Time,
                action = DistributionAction(e.Action),
                target = new
                {
                    mediaType = e.MediaType,
                    size = e.Size,
                    digest = e.Digest,
                    length = e.Size,
                    repository = e.Repository,
                    tag = e.Tag,
                },
                request = new { id = e.Request?.Id, addr = e.Request?.Address, host = e.Request?.Host, method = e.Request?.Method, useragent = e.Request?.UserAgent },
                actor = new { name = e.Actor.Name },
                source = new { instanceID = e.Source },
            },
        },
    });

    private static string DistributionAction(string action) => action switch
    {
        EventActions.Push or EventActions.RepositoryCreate => "push",
        EventActions.Pull => "pull",
        EventActions.Mount => "mount",
        EventActions.Upload => "push",
        _ => "delete",
    };
}
