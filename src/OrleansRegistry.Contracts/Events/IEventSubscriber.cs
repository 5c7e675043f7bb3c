namespace OrleansRegistry.Contracts.Events;

/// <summary>
/// A consumer of the event log (webhooks, audit, scan on push, replication...), registered by an
/// extension in the services. Each subscriber has its own checkpoint per partition; delivery is at
/// least once and in order per repository; any silo may deliver.
/// </summary>
public interface IEventSubscriber
{
    /// <summary>The names of this subscriber's consumers, each with a checkpoint of its own (a webhook per endpoint).</summary>
    IReadOnlyCollection<string> Consumers { get; }

    /// <summary>
    /// Delivers one event to <paramref name="consumer"/>. <see cref="DeliveryResult.Retry"/> keeps the
    /// event (and everything after it in the partition) for a later try; the checkpoint moves past it otherwise.
    /// </summary>
    Task<DeliveryResult> DeliverAsync(string consumer, RegistryEvent @event, CancellationToken cancellationToken);
}

public readonly record struct DeliveryResult(bool Done, TimeSpan RetryAfter)
{
    public static readonly DeliveryResult Delivered = new(true, TimeSpan.Zero);

    public static DeliveryResult Retry(TimeSpan after) => new(false, after);
}
