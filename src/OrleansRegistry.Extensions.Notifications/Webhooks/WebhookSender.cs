using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Hosting.Outbound;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>What one delivery attempt got: the status (null when nothing answered), and how long the endpoint asked to wait.</summary>
public readonly record struct SendResult(int? Status, TimeSpan? RetryAfter, string? Error)
{
    public bool Delivered => Status is >= 200 and < 300;
}

/// <summary>Sends one event to one webhook, signed, through the outbound policy (allowed addresses only).</summary>
public sealed class WebhookSender(OutboundPolicy policy, IOptions<NotificationOptions> options, TimeProvider clock) : IDisposable
{
    private readonly HttpClient _client = new(policy.CreateHandler()) { Timeout = options.Value.Timeout };

    public async Task<SendResult> SendAsync(Webhook webhook, RegistryEvent e, CancellationToken cancellationToken)
    {
        var (body, contentType) = WebhookPayloads.Build(webhook, e);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, e.Id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(webhook.Secret))
        {
            request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(webhook.Secret, e.Id, timestamp, body));
        }

        request.Headers.UserAgent.ParseAdd("OrleansRegistry-Webhook/1");
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            TimeSpan? retryAfter = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable
                ? response.Headers.RetryAfter?.Delta ?? (response.Headers.RetryAfter?.Date is { } date ? date - clock.GetUtcNow() : null)
                : null;
            return new SendResult(status, retryAfter, status is >= 200 and < 300 ? null : $"HTTP {status}");
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return new SendResult(null, null, error.Message);
        }
    }

    public void Dispose() => _client.Dispose();
}
