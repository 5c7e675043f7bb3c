using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Repositories;

/// <summary>Garbage collection of one repository: which links and manifests go, and when.</summary>
public sealed class RepositoryCollectionTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private static readonly CollectionPolicy Policy = new() { Grace = Grace };

    private RegistryCluster Registry => fixture.Registry;

    private IRepositoryGrain NewRepository() => Registry.Client.GetGrain<IRepositoryGrain>(TestData.UniqueName());

    private static async Task<string> LinkAsync(IRepositoryGrain repository, string seed)
    {
        var digest = TestData.Digest(seed + Guid.NewGuid());
        await repository.LinkBlob(digest, 100, TestData.BlobLocation(digest));
        return digest;
    }

    private void PassGrace() => Registry.Clock.Advance(Grace + TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Unreferenced_links_go_after_the_grace_period_and_referenced_ones_stay()
    {
        var repository = NewRepository();
        var (used, unused) = (await LinkAsync(repository, "used"), await LinkAsync(repository, "unused"));
        await repository.PutManifest(TestData.Manifest("m" + Guid.NewGuid(), blobs: [used]), "v1", requireChildManifests: false);

        Assert.Empty((await repository.Collect(Policy, reportHeld: false)).UnlinkedBlobs);
        PassGrace();
        var collected = await repository.Collect(Policy, reportHeld: false);

        Assert.Equal([unused], collected.UnlinkedBlobs.Select(b => b.Digest));
        Assert.StartsWith("gc: referenced by no manifest", collected.UnlinkedBlobs[0].Reason);
        Assert.Null(await repository.GetBlob(unused));
        Assert.NotNull(await repository.GetBlob(used));
        Assert.False(await repository.Holds(unused));
        Assert.True(await repository.Holds(used));
    }

    [Fact]
    public async Task A_read_within_the_grace_period_keeps_an_unreferenced_link()
    {
        var repository = NewRepository();
        var blob = await LinkAsync(repository, "read");
        PassGrace();
        Assert.NotNull(await repository.GetBlob(blob));

        Assert.Empty((await repository.Collect(Policy, reportHeld: false)).UnlinkedBlobs);
        PassGrace();
        Assert.Equal([blob], (await repository.Collect(Policy, reportHeld: false)).UnlinkedBlobs.Select(b => b.Digest));
    }

    [Fact]
    public async Task A_dry_run_says_what_would_go_and_changes_nothing()
    {
        var repository = NewRepository();
        var blob = await LinkAsync(repository, "dry");
        var untagged = TestData.Manifest("untagged" + Guid.NewGuid());
        await repository.PutManifest(untagged, null, requireChildManifests: false);
        PassGrace();

        var dry = await repository.Collect(Policy with { DryRun = true, RemoveUntagged = true }, reportHeld: false);

        Assert.Equal([blob], dry.UnlinkedBlobs.Select(b => b.Digest));
        Assert.Equal([untagged.Digest], dry.DeletedManifests.Select(m => m.Digest));
        Assert.NotNull(await repository.GetBlob(blob));
        Assert.NotNull(await repository.GetManifest(untagged.Digest));
    }

    [Fact]
    public async Task Untagged_manifests_go_only_when_the_policy_says_so_and_what_a_kept_manifest_reaches_stays()
    {
        var repository = NewRepository();
        var id = Guid.NewGuid().ToString("N");
        var child = TestData.Manifest("child" + id);
        var index = TestData.Manifest("index" + id, children: [child.Digest]);
        var tagged = TestData.Manifest("tagged" + id);
        var signature = TestData.Manifest("signature" + id, subject: tagged.Digest);
        var untagged = TestData.Manifest("untagged" + id);
        var untaggedsReferrer = TestData.Manifest("referrer" + id, subject: untagged.Digest);
        foreach (var (manifest, tag) in new[] { (child, null), (index, "multi"), (tagged, "v1"), (signature, null), (untagged, null), (untaggedsReferrer, null) })
        {
            await repository.PutManifest(manifest with { PushedAt = Registry.Clock.GetUtcNow() }, tag, requireChildManifests: false);
        }

        Assert.Empty((await repository.Collect(Policy, reportHeld: false)).DeletedManifests);
        var young = await repository.Collect(Policy with { RemoveUntagged = true }, reportHeld: false);
        Assert.Empty(young.DeletedManifests);

        PassGrace();
        var collected = await repository.Collect(Policy with { RemoveUntagged = true }, reportHeld: true);

        Assert.Equal(new[] { untagged.Digest, untaggedsReferrer.Digest }.Order(), collected.DeletedManifests.Select(m => m.Digest).Order());
        Assert.Equal(new[] { child.Digest, index.Digest, tagged.Digest, signature.Digest }.Order(), collected.HeldManifests.Select(m => m.Digest).Order());
        Assert.Null(await repository.GetManifest(untagged.Digest));
        Assert.Empty(await repository.GetReferrers(untagged.Digest));
        Assert.Single(await repository.GetReferrers(tagged.Digest));
        Assert.NotNull(await repository.GetManifest(child.Digest));
    }

    [Fact]
    public async Task A_replaced_manifest_within_the_tags_history_stays_with_its_blobs_and_one_pushed_out_of_it_goes()
    {
        const int depth = 10;
        var repository = NewRepository();
        var blobs = new string[depth + 2];
        for (var i = 0; i < blobs.Length; i++)
        {
            blobs[i] = await LinkAsync(repository, $"layer {i}");
        }

        var pushed = await TagHistoryTests.PushManyAsync(repository, "v1", blobs.Length, blobs);
        var scratch = await TagHistoryTests.PushManyAsync(repository, "scratch", 2);
        await repository.DeleteTag("scratch");
        PassGrace();

        var collected = await repository.Collect(Policy with { RemoveUntagged = true }, reportHeld: false);

        // Out of v1's history: its two oldest manifests; the history of a deleted tag keeps nothing.
        Assert.Equal(pushed.Take(2).Concat(scratch).Select(m => m.Digest).Order(), collected.DeletedManifests.Select(m => m.Digest).Order());
        Assert.Equal(blobs.Take(2).Order(), collected.UnlinkedBlobs.Select(b => b.Digest).Order());
        Assert.NotNull(await repository.GetManifest(pushed[2].Digest));
        Assert.NotNull(await repository.GetBlob(blobs[2]));
        Assert.Equal(pushed.Skip(2).Reverse().Select(m => m.Digest), (await repository.TagHistory("v1")).Select(m => m.Digest));
        Assert.Empty(await repository.TagHistory("scratch"));
        Assert.Equal(pushed[2].Digest, (await repository.RollbackTag("v1", pushed[2].Digest))?.Digest);
    }

    [Fact]
    public async Task The_blobs_of_a_deleted_manifest_go_a_grace_period_after_its_push_not_at_once()
    {
        var repository = NewRepository();
        var layer = await LinkAsync(repository, "layer");
        PassGrace();
        var manifest = TestData.Manifest("pushed" + Guid.NewGuid(), blobs: [layer]) with { PushedAt = Registry.Clock.GetUtcNow() };
        await repository.PutManifest(manifest, "v1", requireChildManifests: false);
        await repository.DeleteManifest(manifest.Digest);

        Assert.Empty((await repository.Collect(Policy, reportHeld: false)).UnlinkedBlobs);
        PassGrace();
        Assert.Equal([layer], (await repository.Collect(Policy, reportHeld: false)).UnlinkedBlobs.Select(b => b.Digest));
    }

    [Fact]
    public async Task Deletions_are_events_with_their_reason()
    {
        var name = TestData.UniqueName();
        var repository = Registry.Client.GetGrain<IRepositoryGrain>(name);
        var blob = await LinkAsync(repository, "event");
        PassGrace();

        await repository.Collect(Policy, reportHeld: false);

        var log = await Registry.Client.GetGrain<IEventLogGrain>(EventPartitions.Of(name)).Read(0, 10_000);
        var deleted = Assert.Single(log.Entries, e => e.Event.Repository == name && e.Event.Action == EventActions.BlobDelete).Event;
        Assert.Equal(blob, deleted.Digest);
        Assert.StartsWith("gc:", deleted.Reason);
    }
}
