using OrleansRegistry.Contracts;
using Orleans.Runtime;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;
using static OrleansRegistry.Grains.Tests.Fixtures.TestData;

namespace OrleansRegistry.Grains.Tests.Events;

/// <summary>The repository's writes and their events: one per write, in order, none for a write that did not happen.</summary>
public sealed class RepositoryEventsTests(RecordingRegistryClusterFixture fixture) : IClassFixture<RecordingRegistryClusterFixture>
{
    private RegistryCluster Registry => fixture.Registry;

    private IClusterClient Client => Registry.Client;

    [Fact]
    public async Task Every_write_yields_its_events_in_order_with_the_callers_origin()
    {
        var name = UniqueName();
        var repository = Client.GetGrain<IRepositoryGrain>(name);
        var config = Digest("config " + name);
        var layer = Digest("layer " + name);
        var manifest = Manifest("app " + name, [config, layer]);
        RequestContext.Set(EventOrigin.ContextKey, new EventOrigin
        {
            Actor = new EventActor { Name = "alice", Kind = ActorKinds.User },
            Request = new EventRequest { Id = "req-1", Address = "192.0.2.7", Method = "PUT", UserAgent = "test", Host = "registry" },
            Source = "silo-a",
        });
        try
        {
            await repository.LinkBlob(config, 2, BlobLocation(config));
            await repository.MountBlob(layer, 10, BlobLocation(layer));
            await repository.LinkBlob(layer, 10, BlobLocation(layer));
            await repository.PutManifest(manifest, "v1", true);
            await repository.PutManifest(manifest, "v2", true);
            await repository.DeleteTag("v2");
            await repository.DeleteTag("no-such-tag");
            await repository.DeleteManifest(manifest.Digest);
        }
        finally
        {
            RequestContext.Clear();
        }

        var events = await EventsOfAsync(name, 10);
        Assert.Equal(
            [
                EventActions.RepositoryCreate, EventActions.Upload, EventActions.Mount, EventActions.Upload, EventActions.Push, EventActions.Push,
                EventActions.TagDelete, EventActions.TagDelete, EventActions.Delete, EventActions.RepositoryEmpty,
            ],
            events.Select(e => e.Action));
        Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
        Assert.Equal(events.Count, events.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(["v1", "v2", "v2", "v1"], events.Where(e => e.Tag is not null).Select(e => e.Tag));
        Assert.All(events.Where(e => e.Action == EventActions.Push), e =>
        {
            Assert.Equal(manifest.Digest, e.Digest);
            Assert.Equal(manifest.MediaType, e.MediaType);
            Assert.Equal(manifest.Size, e.Size);
        });
        Assert.All(events, e =>
        {
            Assert.Equal(name, e.Repository);
            Assert.Equal("alice", e.Actor.Name);
            Assert.Equal("192.0.2.7", e.Request?.Address);
            Assert.Equal("silo-a", e.Source);
        });
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());
    }

    [Theory]
    [InlineData("tags-")]
    [InlineData("event-segment-")]
    public async Task A_write_that_failed_has_no_event_and_its_retry_has_one(string failing)
    {
        var name = UniqueName();
        var repository = Client.GetGrain<IRepositoryGrain>(name);
        var blob = Digest("config " + name);
        await repository.LinkBlob(blob, 1, BlobLocation(blob));
        var manifest = Manifest("app " + name, [blob]);
        var grainIds = new[] { repository.GetGrainId(), Client.GetGrain<IEventLogGrain>(EventPartitions.Of(name)).GetGrainId() };
        Registry.Recorder.FailNextWrite((state, id) => grainIds.Contains(id) && state.StartsWith(failing, StringComparison.Ordinal), afterPersisting: false);

        await Assert.ThrowsAnyAsync<Exception>(() => repository.PutManifest(manifest, "latest", true));
        await repository.PutManifest(manifest, "latest", true);

        var events = await EventsOfAsync(name, 3);
        Assert.Equal([EventActions.RepositoryCreate, EventActions.Upload, EventActions.Push], events.Select(e => e.Action));
    }

    [Fact]
    public async Task Events_survive_a_restart_of_the_cluster_and_the_next_activation_goes_on()
    {
        var name = UniqueName();
        var repository = Client.GetGrain<IRepositoryGrain>(name);
        var blob = Digest("config " + name);
        await repository.LinkBlob(blob, 1, BlobLocation(blob));
        await repository.PutManifest(Manifest("app " + name, [blob]), "v1", true);
        await Registry.RestartAsync();

        await Client.GetGrain<IRepositoryGrain>(name).PutManifest(Manifest("app 2 " + name, [blob]), "v2", true);
        var events = await EventsOfAsync(name, 4);

        // Created once: the meta record says its creation is logged.
        Assert.Equal([EventActions.RepositoryCreate, EventActions.Upload, EventActions.Push, EventActions.Push], events.Select(e => e.Action));
        Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
    }

    private async Task<List<RegistryEvent>> EventsOfAsync(string repository, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var events = await ReadAllAsync(repository);
            if (events.Count >= expected || DateTime.UtcNow > deadline)
            {
                return events;
            }

            await Task.Delay(50);
        }
    }

    private async Task<List<RegistryEvent>> ReadAllAsync(string repository)
    {
        var page = await Client.GetGrain<IEventLogGrain>(EventPartitions.Of(repository)).Read(0, 100_000);
        return [.. page.Entries.Select(e => e.Event).Where(e => e.Repository == repository)];
    }
}
