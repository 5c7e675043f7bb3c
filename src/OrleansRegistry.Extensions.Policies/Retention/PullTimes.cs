using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>
/// When each manifest of one repository (key: its name) was last pulled, as the event log's <c>pull</c> events
/// tell (<see cref="PullTimesSubscriber"/>), for <see cref="RetentionRule.KeepPulledWithinDays"/>.
/// </summary>
[Alias("pull-times")]
public interface IPullTimesGrain : IGrainWithStringKey
{
    [Alias("pulled")]
    Task Pulled(string digest, DateTimeOffset at);

    /// <summary>The manifest left the repository.</summary>
    [Alias("forget")]
    Task Forget(string digest);

    [Alias("last-pulled")]
    Task<Dictionary<string, DateTimeOffset>> LastPulled();
}

[GenerateSerializer, Alias("pull-times-state")]
public sealed class PullTimesState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> Pulled { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Remembers every pull in memory and stores the map when a manifest is pulled for the first time or an
/// hour (<see cref="Precision"/>) after its stored pull, so a busy manifest costs one write an hour, and the
/// time stored is never more than that behind the last pull. The event that caused a write is acknowledged
/// only once it is stored: a crash loses no first pull, only advances within the hour.
/// </summary>
public sealed class PullTimesGrain(
    [PersistentState("pull-times", GrainStorageNames.Registry)] IPersistentState<PullTimesState> state) : Grain, IPullTimesGrain
{
    public static readonly TimeSpan Precision = TimeSpan.FromHours(1);

    private readonly Dictionary<string, DateTimeOffset> _latest = new(StringComparer.Ordinal);

    public async Task Pulled(string digest, DateTimeOffset at)
    {
        if (_latest.TryGetValue(digest, out var known) && known >= at)
        {
            return;
        }

        _latest[digest] = at;
        if (!state.State.Pulled.TryGetValue(digest, out var stored) || at - stored >= Precision)
        {
            await StoreAsync();
        }
    }

    public Task Forget(string digest)
    {
        // Stored with the next write: an entry for a deleted manifest keeps nothing.
        _latest.Remove(digest);
        state.State.Pulled.Remove(digest);
        return Task.CompletedTask;
    }

    public Task<Dictionary<string, DateTimeOffset>> LastPulled()
    {
        var pulled = new Dictionary<string, DateTimeOffset>(state.State.Pulled, StringComparer.Ordinal);
        foreach (var (digest, at) in _latest)
        {
            if (!pulled.TryGetValue(digest, out var stored) || at > stored)
            {
                pulled[digest] = at;
            }
        }

        return Task.FromResult(pulled);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_latest.Any(e => !state.State.Pulled.TryGetValue(e.Key, out var stored) || stored < e.Value))
        {
            await StoreAsync();
        }
    }

    private Task StoreAsync()
    {
        foreach (var (digest, at) in _latest)
        {
            state.State.Pulled[digest] = at;
        }

        return state.WriteStateAsync();
    }
}

/// <summary>
/// The consumer <c>retention</c>: every <c>pull</c> event to its repository's <see cref="IPullTimesGrain"/>, every
/// manifest <c>delete</c> to forget it. All repositories, not only those a rule covers: a rule set later
/// then knows the pulls from before it.
/// </summary>
public sealed class PullTimesSubscriber(IGrainFactory grains) : IEventSubscriber
{
    public const string Consumer = "retention";

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public IReadOnlyCollection<string> Consumers { get; } = [Consumer];

    public async Task<DeliveryResult> DeliverAsync(string consumer, RegistryEvent e, CancellationToken cancellationToken)
    {
        if (e.Digest is not { } digest || e.Action is not (EventActions.Pull or EventActions.Delete))
        {
            return DeliveryResult.Delivered;
        }

        try
        {
            var times = grains.GetGrain<IPullTimesGrain>(e.Repository);
            await (e.Action == EventActions.Pull ? times.Pulled(digest, e.Time) : times.Forget(digest));
            return DeliveryResult.Delivered;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Held in this partition until the grain answers again, so no pull is lost.
            return DeliveryResult.Retry(RetryAfter);
        }
    }
}
