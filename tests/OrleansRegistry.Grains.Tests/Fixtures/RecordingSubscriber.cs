using System.Collections.Concurrent;
using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Grains.Tests.Fixtures;

/// <summary>
/// An event consumer for the tests of the delivery grain: keeps what it is given and can refuse
/// (ask for a retry) while <see cref="Refusing"/> is set.
/// </summary>
public sealed class RecordingSubscriber : IEventSubscriber
{
    public const string Name = "test-recorder";

    public ConcurrentQueue<RegistryEvent> Received { get; } = new();

    public volatile bool Refusing;

    public int Refused;

    public IReadOnlyCollection<string> Consumers { get; } = [Name];

    public Task<DeliveryResult> DeliverAsync(string consumer, RegistryEvent @event, CancellationToken cancellationToken)
    {
        if (Refusing)
        {
            Interlocked.Increment(ref Refused);
            return Task.FromResult(DeliveryResult.Retry(TimeSpan.FromMilliseconds(50)));
        }

        Received.Enqueue(@event);
        return Task.FromResult(DeliveryResult.Delivered);
    }
}
