using OrleansRegistry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Grains.State;
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

        var events = await EventsOfAsync(name, 9);
        Assert.Equal(
            [
                EventActions.RepositoryCreate, EventActions.Upload, EventActions.Mount, EventActions.Push, EventActions.Push,
                EventActions.TagDelete, EventActions.TagDelete, EventActions.Delete, EventActions.RepositoryEmpty,
            ],
            events.Select(e => e.Action));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), events.Select(e => e.Sequence));
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
    [InlineData("meta")]
    public async Task A_write_that_failed_has_no_event_and_its_retry_has_one(string failing)
    {
        var name = UniqueName();
        var repository = Client.GetGrain<IRepositoryGrain>(name);
        var blob = Digest("config " + name);
        await repository.LinkBlob(blob, 1, BlobLocation(blob));
        var manifest = Manifest("app " + name, [blob]);
        var grainId = repository.GetGrainId();
        Registry.Recorder.FailNextWrite((state, id) => id == grainId && state.StartsWith(failing, StringComparison.Ordinal), afterPersisting: false);

        await Assert.ThrowsAnyAsync<Exception>(() => repository.PutManifest(manifest, "latest", true));
        await repository.PutManifest(manifest, "latest", true);

        var events = await EventsOfAsync(name, 3);
        Assert.Equal([EventActions.RepositoryCreate, EventActions.Upload, EventActions.Push], events.Select(e => e.Action));
    }

    [Fact]
    public async Task An_activation_keeps_the_intent_of_a_write_that_happened_and_drops_one_that_did_not()
    {
        // What a silo killed between the intent and the write leaves: an unconfirmed entry in the meta record.
        var stored = UniqueName("crashed");
        var lost = UniqueName("crashed");
        var digest = Digest("manifest " + stored);
        await SeedAsync(stored, digest, tagStored: true);
        await SeedAsync(lost, digest, tagStored: false);

        Assert.True(await Client.GetGrain<IRepositoryGrain>(stored).Exists());
        Assert.True(await Client.GetGrain<IRepositoryGrain>(lost).Exists());

        var events = await EventsOfAsync(stored, 1);
        Assert.Equal(EventActions.Push, Assert.Single(events).Action);
        Assert.Equal("seeded-event", events[0].Id);

        // The lost one's log stays empty, and its meta record no longer holds the intent.
        await Task.Delay(500);
        Assert.Empty(await ReadAllAsync(lost));
        var meta = await ReadMetaAsync(lost);
        Assert.Empty(meta.Outbox);
    }

    private async Task SeedAsync(string name, string digest, bool tagStored)
    {
        var grainId = Client.GetGrain<IRepositoryGrain>(name).GetGrainId();
        var storage = Storage;
        if (tagStored)
        {
            await new BucketedMap<string>(storage, grainId, "tags", RepositoryGrain.TagBuckets).SetAsync("v1", digest);
        }

        var meta = new RepositoryMeta
        {
            InCatalog = true,
            CountsManifests = true,
            Sequence = 1,
            Outbox =
            [
                new OutboxEntry
                {
                    Event = new RegistryEvent
                    {
                        Id = "seeded-event", Time = DateTimeOffset.UtcNow, Action = EventActions.Push, Repository = name,
                        Digest = digest, Tag = "v1", Sequence = 1,
                    },
                },
            ],
        };
        await storage.WriteStateAsync("meta", grainId, new GrainState<RepositoryMeta>(meta));
    }

    private async Task<RepositoryMeta> ReadMetaAsync(string name)
    {
        var state = new GrainState<RepositoryMeta>(new RepositoryMeta());
        await Storage.ReadStateAsync("meta", Client.GetGrain<IRepositoryGrain>(name).GetGrainId(), state);
        return state.State ?? new RepositoryMeta();
    }

    private IGrainStorage Storage => Registry.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Registry);

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
