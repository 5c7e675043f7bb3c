using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;
using static OrleansRegistry.Grains.Tests.Fixtures.TestData;

namespace OrleansRegistry.Grains.Tests.Repositories;

/// <summary>Each tag's history in the repository grain: what a move records, how deep it goes, what takes entries out, rollbacks.</summary>
public sealed class TagHistoryTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private const int DefaultDepth = 10;

    private IClusterClient Client => fixture.Registry.Client;

    [Fact]
    public async Task Every_move_of_a_tag_is_recorded_newest_first_with_its_time_and_actor_and_a_push_that_does_not_move_it_is_not()
    {
        var repository = Client.GetGrain<IRepositoryGrain>(UniqueName());
        var (first, second, third) = (Manifest("first" + Guid.NewGuid()), Manifest("second" + Guid.NewGuid()), Manifest("third" + Guid.NewGuid()));
        await PushAsAsync("alice", repository, first, "v1");
        await PushAsAsync("robot$ci", repository, second, "v1");
        await PushAsAsync("bob", repository, third, "v1");
        await PushAsAsync("bob", repository, third, "v1");
        await repository.PutManifest(first, "other", requireChildManifests: false);

        var history = await repository.TagHistory("v1");

        Assert.Equal([third.Digest, second.Digest, first.Digest], history.Select(m => m.Digest));
        Assert.Equal(["bob", "robot$ci", "alice"], history.Select(m => m.Actor.Name));
        Assert.Equal([.. history.Select(m => m.Time).OrderDescending()], history.Select(m => m.Time));
        var other = Assert.Single(await repository.TagHistory("other"));
        Assert.Equal(ActorKinds.Anonymous, other.Actor.Kind);
        Assert.Empty(await repository.TagHistory("never-pushed"));
    }

    [Fact]
    public async Task A_history_keeps_the_last_HistoryDepth_moves_and_survives_a_new_activation()
    {
        var name = UniqueName();
        var repository = Client.GetGrain<IRepositoryGrain>(name);
        var pushed = await PushManyAsync(repository, "latest", DefaultDepth + 2);

        await fixture.Registry.DeactivateAsync(repository);
        var history = await Client.GetGrain<IRepositoryGrain>(name).TagHistory("latest");

        Assert.Equal(pushed.AsEnumerable().Reverse().Take(DefaultDepth).Select(m => m.Digest), history.Select(m => m.Digest));
    }

    [Fact]
    public async Task A_deleted_manifest_leaves_every_history_at_once_and_a_deleted_tag_keeps_its_history()
    {
        var repository = Client.GetGrain<IRepositoryGrain>(UniqueName());
        var (kept, deleted) = (Manifest("kept" + Guid.NewGuid()), Manifest("deleted" + Guid.NewGuid()));
        await repository.PutManifest(deleted, "v1", requireChildManifests: false);
        await repository.PutManifest(kept, "v1", requireChildManifests: false);
        await repository.PutManifest(deleted, "v2", requireChildManifests: false);
        await repository.PutManifest(kept, "v2", requireChildManifests: false);
        await repository.PutManifest(deleted, "only", requireChildManifests: false);
        await repository.PutManifest(kept, "gone", requireChildManifests: false);
        Assert.True(await repository.DeleteTag("gone"));

        Assert.True(await repository.DeleteManifest(deleted.Digest));

        Assert.Equal([kept.Digest], (await repository.TagHistory("v1")).Select(m => m.Digest));
        Assert.Equal([kept.Digest], (await repository.TagHistory("v2")).Select(m => m.Digest));
        Assert.Empty(await repository.TagHistory("only"));
        Assert.Equal([kept.Digest], (await repository.TagHistory("gone")).Select(m => m.Digest));
        Assert.Null(await repository.RollbackTag("v1", deleted.Digest));
    }

    [Fact]
    public async Task A_rollback_moves_the_tag_to_a_digest_of_its_history_as_a_push_does_and_restores_a_deleted_tag()
    {
        var name = UniqueName();
        var repository = Client.GetGrain<IRepositoryGrain>(name);
        var (first, second) = (Manifest("first" + Guid.NewGuid()), Manifest("second" + Guid.NewGuid()));
        var elsewhere = Manifest("elsewhere" + Guid.NewGuid());
        await repository.PutManifest(first, "v1", requireChildManifests: false);
        await repository.PutManifest(second, "v1", requireChildManifests: false);
        await repository.PutManifest(elsewhere, "other", requireChildManifests: false);

        Assert.Null(await repository.RollbackTag("v1", elsewhere.Digest));
        Assert.Null(await repository.RollbackTag("no-such-tag", first.Digest));
        Assert.Equal(second.Digest, (await repository.ResolveTag("v1"))?.Digest);

        var rolledBack = await RollbackAsAsync("carol", repository, "v1", first.Digest);

        Assert.Equal(first.Digest, rolledBack?.Digest);
        Assert.Equal(first.Digest, (await repository.ResolveTag("v1"))?.Digest);
        var history = await repository.TagHistory("v1");
        Assert.Equal([first.Digest, second.Digest, first.Digest], history.Select(m => m.Digest));
        Assert.Equal("carol", history[0].Actor.Name);
        var events = (await Client.GetGrain<IEventLogGrain>(EventPartitions.Of(name)).Read(0, 100_000)).Entries.Select(e => e.Event)
            .Where(e => e.Repository == name && e.Action == EventActions.Push && e.Tag == "v1").ToList();
        Assert.Equal([first.Digest, second.Digest, first.Digest], events.Select(e => e.Digest));
        Assert.Equal("carol", events[^1].Actor.Name);

        Assert.True(await repository.DeleteTag("v1"));
        Assert.Equal(second.Digest, (await repository.RollbackTag("v1", second.Digest))?.Digest);
        Assert.Equal(second.Digest, (await repository.ResolveTag("v1"))?.Digest);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("1001", false)]
    [InlineData("1", true)]
    [InlineData("1000", true)]
    public void HistoryDepth_is_validated_to_1_to_1000(string depth, bool valid)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Registry:Tags:HistoryDepth", depth)]).Build();
        using var services = new ServiceCollection().AddRegistryTags(configuration).BuildServiceProvider();

        var options = () => services.GetRequiredService<IOptions<TagOptions>>().Value;

        if (valid)
        {
            Assert.Equal(int.Parse(depth), options().HistoryDepth);
        }
        else
        {
            Assert.Contains("Registry:Tags:HistoryDepth must be 1 to 1000", Assert.Throws<OptionsValidationException>(options).Message);
        }
    }

    /// <summary>Pushes <paramref name="count"/> distinct manifests to <paramref name="tag"/>, oldest first.</summary>
    internal static async Task<List<ManifestRecord>> PushManyAsync(IRepositoryGrain repository, string tag, int count, string[]? blobs = null)
    {
        var pushed = new List<ManifestRecord>();
        for (var i = 0; i < count; i++)
        {
            var manifest = Manifest($"build {i} {Guid.NewGuid()}", blobs: blobs?[i..(i + 1)]);
            Assert.Equal(PutManifestStatus.Stored, (await repository.PutManifest(manifest, tag, requireChildManifests: false)).Status);
            pushed.Add(manifest);
        }

        return pushed;
    }

    private static Task PushAsAsync(string actor, IRepositoryGrain repository, ManifestRecord manifest, string tag) =>
        As(actor, () => repository.PutManifest(manifest, tag, requireChildManifests: false));

    private static Task<ManifestRecord?> RollbackAsAsync(string actor, IRepositoryGrain repository, string tag, string digest) =>
        As(actor, () => repository.RollbackTag(tag, digest));

    /// <summary>Runs a grain call with an origin naming <paramref name="actor"/>, as the silo puts it before a write.</summary>
    private static async Task<T> As<T>(string actor, Func<Task<T>> call)
    {
        RequestContext.Set(EventOrigin.ContextKey, new EventOrigin
        {
            Actor = new EventActor { Name = actor, Kind = actor.StartsWith("robot$", StringComparison.Ordinal) ? ActorKinds.Robot : ActorKinds.User },
        });
        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Clear();
        }
    }
}
