using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>
/// The event-log consumer of every webhook (<c>webhook:&lt;name&gt;</c>, each with its own checkpoints,
/// so one slow endpoint never delays another). Any 2xx delivers; 429 and 503 wait as
/// <c>Retry-After</c> says; other failures back off exponentially with jitter, within
/// <see cref="NotificationOptions.DeliveryWindow"/> of the event's time, after which the event is
/// dead-lettered and the next one goes; 410 disables the webhook. Events its filter does not take
/// are passed over.
/// </summary>
public sealed class WebhookSubscriber(
    IGrainFactory grains, WebhookSender sender, IOptions<NotificationOptions> options, TimeProvider clock, ILogger<WebhookSubscriber> logger)
    : IEventSubscriber
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(2);

    private readonly NotificationOptions _options = options.Value;
    // Failed tries of the events being retried, by consumer and event (one per partition at most).
    private readonly ConcurrentDictionary<(string Consumer, string EventId), int> _attempts = new();
    private volatile Dictionary<string, Webhook> _webhooks = new(StringComparer.Ordinal);
    private DateTimeOffset _refreshed = DateTimeOffset.MinValue;
    private int _refreshing;

    private IWebhookDirectoryGrain Directory => grains.GetGrain<IWebhookDirectoryGrain>(WebhookDirectory.Key);

    public IReadOnlyCollection<string> Consumers
    {
        get
        {
            RefreshSoon();
            return _webhooks.Keys;
        }
    }

    public async Task<DeliveryResult> DeliverAsync(string consumer, RegistryEvent e, CancellationToken cancellationToken)
    {
        if (!_webhooks.TryGetValue(consumer, out var webhook))
        {
            await RefreshAsync();
            if (!_webhooks.TryGetValue(consumer, out webhook))
            {
                return DeliveryResult.Delivered;
            }
        }

        if (!webhook.Enabled || !Wants(webhook, e))
        {
            return DeliveryResult.Delivered;
        }

        var result = await sender.SendAsync(webhook, e, cancellationToken);
        await Directory.Attempted(webhook.Name, result.Status, result.Error, result.Delivered);
        if (result.Delivered)
        {
            _attempts.TryRemove((consumer, e.Id), out _);
            return DeliveryResult.Delivered;
        }

        if (result.Status == 410)
        {
            logger.LogWarning("webhook {Webhook} answered 410 Gone: disabled", webhook.Name);
            await Directory.Disable(webhook.Name, $"410 Gone at {clock.GetUtcNow():O}");
            await RefreshAsync();
            return DeliveryResult.Delivered;
        }

        if (clock.GetUtcNow() - e.Time > _options.DeliveryWindow)
        {
            logger.LogWarning("webhook {Webhook}: event {Event} dead-lettered after {Window} ({Error})", webhook.Name, e.Id, _options.DeliveryWindow, result.Error);
            await Directory.DeadLetter(webhook.Name, e, _options.DeadLettersKept);
            _attempts.TryRemove((consumer, e.Id), out _);
            return DeliveryResult.Delivered;
        }

        var attempts = _attempts.AddOrUpdate((consumer, e.Id), 1, (_, a) => a + 1);
        return DeliveryResult.Retry(Backoff(attempts, result.RetryAfter));
    }

    /// <summary>Sends the dead letters once more, in order; those that fail again stay dead letters.</summary>
    public async Task<(int Delivered, int Failed)> RedeliverAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        var letters = await Directory.TakeDeadLetters(webhook.Name);
        var (delivered, failed) = (0, 0);
        foreach (var letter in letters)
        {
            var result = await sender.SendAsync(webhook, letter, cancellationToken);
            await Directory.Attempted(webhook.Name, result.Status, result.Error, result.Delivered);
            if (result.Delivered)
            {
                delivered++;
            }
            else
            {
                failed++;
                await Directory.DeadLetter(webhook.Name, letter, _options.DeadLettersKept);
            }
        }

        return (delivered, failed);
    }

    internal static bool Wants(Webhook webhook, RegistryEvent e) =>
        webhook.Events.Contains(WebhookEvents.KindOf(e.Action), StringComparer.Ordinal) && NamespacePattern.Covers(webhook.Repositories, e.Repository);

    private TimeSpan Backoff(int attempts, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            return asked < _options.MaxBackoff ? asked : _options.MaxBackoff;
        }

        var exponential = _options.InitialBackoff * Math.Pow(2, Math.Min(attempts - 1, 20));
        var capped = exponential < _options.MaxBackoff ? exponential : _options.MaxBackoff;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    private void RefreshSoon()
    {
        if (clock.GetUtcNow() - _refreshed > RefreshEvery && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshAsync().ContinueWith(_ => Volatile.Write(ref _refreshing, 0), TaskScheduler.Default);
        }
    }

    /// <summary>Reads the webhooks again (every silo keeps its own copy, a few seconds old at most).</summary>
    public async Task RefreshAsync()
    {
        try
        {
            var webhooks = await Directory.List();
            _webhooks = webhooks.ToDictionary(w => w.Consumer, StringComparer.Ordinal);
            _refreshed = clock.GetUtcNow();
        }
        catch (Exception error)
        {
            logger.LogDebug(error, "webhooks not read; trying again soon");
        }
    }
}
