using Orleans.Concurrency;
using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>The webhooks of the cluster (one grain, key <see cref="WebhookDirectory.Key"/>), their dead letters and delivery counts.</summary>
[Alias("webhook-directory")]
public interface IWebhookDirectoryGrain : IGrainWithStringKey
{
    [AlwaysInterleave, Alias("list")]
    Task<Webhook[]> List();

    /// <summary>Creates or replaces a webhook; true when it existed.</summary>
    [Alias("put")]
    Task<bool> Put(Webhook webhook);

    [Alias("delete")]
    Task<bool> Delete(string name);

    /// <summary>The configuration file's webhooks, applied at start: they replace those of the same name.</summary>
    [Alias("apply-configuration")]
    Task ApplyConfiguration(Webhook[] webhooks);

    [Alias("disable")]
    Task Disable(string name, string reason);

    [Alias("dead-letter")]
    Task DeadLetter(string name, RegistryEvent @event, int keep);

    /// <summary>Removes and returns the dead letters of a webhook, oldest first.</summary>
    [Alias("take-dead-letters")]
    Task<RegistryEvent[]> TakeDeadLetters(string name);

    [AlwaysInterleave, Alias("status")]
    Task<WebhookStatus> GetStatus(string name);

    /// <summary>Counts one delivery attempt (kept in memory: counts start again when the grain moves).</summary>
    [OneWay, AlwaysInterleave, Alias("attempted")]
    Task Attempted(string name, int? status, string? error, bool delivered);
}

public static class WebhookDirectory
{
    public const string Key = "webhooks";
}
