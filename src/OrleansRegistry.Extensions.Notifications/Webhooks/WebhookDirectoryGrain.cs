using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Grains.State;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

[GenerateSerializer, Alias("webhook-directory-state")]
public sealed class WebhookDirectoryState
{
    [Id(0)] public Dictionary<string, Webhook> Webhooks { get; set; } = new(StringComparer.Ordinal);
    [Id(1)] public Dictionary<string, List<RegistryEvent>> DeadLetters { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Keeps the webhooks; every change is stored before it is acknowledged, and the live state changes only then.</summary>
public sealed class WebhookDirectoryGrain(
    [PersistentState("webhooks", GrainStorageNames.Registry)] IPersistentState<WebhookDirectoryState> state) : Grain, IWebhookDirectoryGrain
{
    private readonly Dictionary<string, WebhookStatus> _counts = new(StringComparer.Ordinal);

    public Task<Webhook[]> List() => Task.FromResult(state.State.Webhooks.Values.OrderBy(w => w.Name, StringComparer.Ordinal).ToArray());

    public async Task<bool> Put(Webhook webhook)
    {
        var existed = state.State.Webhooks.ContainsKey(webhook.Name);
        await MutateAsync(s => s.Webhooks[webhook.Name] = webhook);
        return existed;
    }

    public async Task<bool> Delete(string name)
    {
        if (!state.State.Webhooks.ContainsKey(name))
        {
            return false;
        }

        await MutateAsync(s =>
        {
            s.Webhooks.Remove(name);
            s.DeadLetters.Remove(name);
        });
        _counts.Remove(name);
        return true;
    }

    public Task ApplyConfiguration(Webhook[] webhooks) => MutateAsync(s =>
    {
        foreach (var webhook in webhooks)
        {
            s.Webhooks[webhook.Name] = webhook with { Source = WebhookSources.Configuration };
        }
    });

    public Task Disable(string name, string reason) =>
        state.State.Webhooks.TryGetValue(name, out var webhook)
            ? MutateAsync(s => s.Webhooks[name] = webhook with { Enabled = false, DisabledReason = reason })
            : Task.CompletedTask;

    public Task DeadLetter(string name, RegistryEvent @event, int keep) => MutateAsync(s =>
    {
        var letters = s.DeadLetters.TryGetValue(name, out var existing) ? [.. existing] : new List<RegistryEvent>();
        letters.Add(@event);
        s.DeadLetters[name] = letters.Count > keep ? letters[^keep..] : letters;
    });

    public async Task<RegistryEvent[]> TakeDeadLetters(string name)
    {
        if (!state.State.DeadLetters.TryGetValue(name, out var letters))
        {
            return [];
        }

        await MutateAsync(s => s.DeadLetters.Remove(name));
        return [.. letters];
    }

    public Task<WebhookStatus> GetStatus(string name)
    {
        var counts = _counts.GetValueOrDefault(name) ?? new WebhookStatus();
        var dead = state.State.DeadLetters.TryGetValue(name, out var letters) ? letters.Count : 0;
        return Task.FromResult(counts with { DeadLettered = dead });
    }

    public Task Attempted(string name, int? status, string? error, bool delivered)
    {
        var counts = _counts.GetValueOrDefault(name) ?? new WebhookStatus();
        _counts[name] = counts with
        {
            LastStatus = status,
            LastAttempt = DateTimeOffset.UtcNow,
            LastError = error,
            Delivered = counts.Delivered + (delivered ? 1 : 0),
            Failures = counts.Failures + (delivered ? 0 : 1),
        };
        return Task.CompletedTask;
    }

    private Task MutateAsync(Action<WebhookDirectoryState> change)
    {
        var next = new WebhookDirectoryState
        {
            Webhooks = new(state.State.Webhooks, StringComparer.Ordinal),
            DeadLetters = new(state.State.DeadLetters, StringComparer.Ordinal),
        };
        change(next);
        return state.ReplaceAsync(next);
    }
}
