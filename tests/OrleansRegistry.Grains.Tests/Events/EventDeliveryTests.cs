using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;
using static OrleansRegistry.Grains.Tests.Fixtures.TestData;

namespace OrleansRegistry.Grains.Tests.Events;

/// <summary>The delivery grain: in order per partition, held while the consumer refuses, from its checkpoint after a restart.</summary>
public sealed class EventDeliveryTests : IAsyncLifetime
{
    private readonly RegistryCluster _registry = new();

    public Task InitializeAsync() => _registry.StartAsync();

    public async Task DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task A_consumer_gets_every_event_of_a_partition_in_order_held_while_it_refuses_and_resumed_after_a_restart()
    {
        var name = UniqueName();
        var partition = EventPartitions.Of(name);
        var subscriber = _registry.Subscriber;
        // The repository's creation, its blob and five pushes (a blob linked again is sent again: a retry says what happened).
        await PushAsync(name, 0, 5);
        Poke(partition);
        await WaitForAsync(() => subscriber.Received.Count(e => e.Repository == name) >= 7);

        subscriber.Refusing = true;
        await PushAsync(name, 5, 3);
        await WaitForAsync(() => Volatile.Read(ref subscriber.Refused) >= 2);
        Assert.Equal(7, subscriber.Received.Count(e => e.Repository == name));
        var status = await Delivery(partition).GetStatus();
        Assert.NotNull(status.OldestPending);

        subscriber.Refusing = false;
        await WaitForAsync(() => subscriber.Received.Count(e => e.Repository == name) >= 11);

        // After a restart of the whole cluster, delivery goes on from the checkpoint: nothing twice.
        await _registry.RestartAsync();
        await PushAsync(name, 8, 2);
        Poke(partition);
        await WaitForAsync(() => subscriber.Received.Count(e => e.Repository == name) >= 14);
        await Task.Delay(300);

        var received = subscriber.Received.Where(e => e.Repository == name).ToList();
        Assert.Equal(14, received.Count);
        Assert.Equal(received.Select(e => e.Sequence).Order(), received.Select(e => e.Sequence));
        Assert.Equal(14, received.Select(e => e.Id).Distinct().Count());
        Assert.Equal(received[^1].Sequence, (await Delivery(partition).GetStatus()).Checkpoint);
    }

    private IEventDeliveryGrain Delivery(int partition) =>
        _registry.Client.GetGrain<IEventDeliveryGrain>(EventDeliveryKey.Of(RecordingSubscriber.Name, partition));

    private void Poke(int partition) => Delivery(partition).Poke();

    private async Task PushAsync(string name, int first, int count)
    {
        var repository = _registry.Client.GetGrain<IRepositoryGrain>(name);
        var blob = Digest("config " + name);
        await repository.LinkBlob(blob, 1, BlobLocation(blob));
        for (var i = first; i < first + count; i++)
        {
            await repository.PutManifest(Manifest($"{name} {i}", [blob]), $"v{i}", true);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(50);
        }
    }
}
