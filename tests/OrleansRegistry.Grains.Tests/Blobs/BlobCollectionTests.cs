using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Grains.Tests.Fixtures;
using OrleansRegistry.Storage;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Blobs;

/// <summary>Garbage collection of stored bytes by their blob index, against the real filesystem blob store.</summary>
public sealed class BlobCollectionTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private static readonly CollectionPolicy Policy = new() { Grace = Grace };

    private RegistryCluster Registry => fixture.Registry;

    private void PassGrace() => Registry.Clock.Advance(Grace + TimeSpan.FromMinutes(1));

    /// <summary>Fresh bytes in the store: their digest, blob index and stored copy.</summary>
    private async Task<(string Digest, IBlobGrain Index, StoredCopy Copy)> StoreAsync()
    {
        var (digest, index, copy, _) = await StoreBytesAsync();
        return (digest, index, copy);
    }

    private async Task<(string Digest, IBlobGrain Index, StoredCopy Copy, byte[] Bytes)> StoreBytesAsync()
    {
        var bytes = Guid.NewGuid().ToByteArray();
        var digest = Digest.Compute(DigestAlgorithm.Sha256, bytes);
        var location = await Registry.BlobStore.PutAsync(digest, bytes, CancellationToken.None);
        var copy = new StoredCopy { Location = location.Value, Length = bytes.Length, LastModified = Registry.Clock.GetUtcNow() };
        return (digest.ToString(), Registry.Client.GetGrain<IBlobGrain>(digest.ToString()), copy, bytes);
    }

    private async Task<bool> IsStoredAsync(StoredCopy copy) =>
        await Registry.BlobStore.GetLengthAsync(new BlobLocation(copy.Location), CancellationToken.None) is not null;

    /// <summary>Registers and links the bytes into a new repository, as an upload does.</summary>
    private async Task<IRepositoryGrain> HoldAsync(string digest, IBlobGrain index, StoredCopy copy)
    {
        var repository = Registry.Client.GetGrain<IRepositoryGrain>(TestData.UniqueName());
        await index.RegisterFor(repository.GetPrimaryKeyString(), copy.Location, copy.Length);
        await repository.LinkBlob(digest, copy.Length, copy.Location);
        return repository;
    }

    [Fact]
    public async Task Held_bytes_stay_and_bytes_nobody_held_for_the_grace_period_go()
    {
        var (digest, index, copy) = await StoreAsync();
        var repository = await HoldAsync(digest, index, copy);
        PassGrace();
        Assert.Equal(BlobCollectionOutcome.Kept, (await index.Collect(copy, Policy)).Outcome);

        await repository.UnlinkBlob(digest);
        await index.RemoveRepository(repository.GetPrimaryKeyString());
        Assert.Empty((await index.Get())!.Repositories);
        Assert.Equal(BlobCollectionOutcome.Kept, (await index.Collect(copy, Policy)).Outcome);
        PassGrace();
        var collected = await index.Collect(copy, Policy);

        Assert.Equal(BlobCollectionOutcome.Deleted, collected.Outcome);
        Assert.StartsWith("gc: no repository holds it", collected.Reason);
        Assert.Null(await index.Get());
        Assert.False(await IsStoredAsync(copy));
    }

    [Fact]
    public async Task A_dry_run_says_so_and_deletes_nothing()
    {
        var (_, index, copy) = await StoreAsync();
        await index.Register(copy.Location, copy.Length);
        await index.Collect(copy, Policy);
        PassGrace();

        Assert.Equal(BlobCollectionOutcome.Deleted, (await index.Collect(copy, Policy with { DryRun = true })).Outcome);
        Assert.NotNull(await index.Get());
        Assert.True(await IsStoredAsync(copy));
    }

    [Fact]
    public async Task A_repository_added_a_moment_ago_stays_though_it_does_not_hold_the_digest_yet()
    {
        var (_, index, copy) = await StoreAsync();
        await index.RegisterFor("in-flight/link", copy.Location, copy.Length);
        await index.RemoveRepository("in-flight/link");
        Assert.Equal(BlobCollectionOutcome.Kept, (await index.Collect(copy, Policy)).Outcome);
        Assert.Equal(["in-flight/link"], (await index.Get())!.Repositories);

        // Settled now (added more than the grace period ago) and holding nothing: dropped, and its grace begins.
        PassGrace();
        Assert.Equal(BlobCollectionOutcome.Kept, (await index.Collect(copy, Policy)).Outcome);
        Assert.Empty((await index.Get())!.Repositories);
        PassGrace();
        Assert.Equal(BlobCollectionOutcome.Deleted, (await index.Collect(copy, Policy)).Outcome);
    }

    [Fact]
    public async Task After_a_collection_a_registration_of_content_that_is_gone_is_refused_and_of_content_stored_again_accepted()
    {
        var (digest, index, copy, bytes) = await StoreBytesAsync();
        await index.Register(copy.Location, copy.Length);
        await index.Collect(copy, Policy);
        PassGrace();
        await index.Collect(copy, Policy);

        Assert.Null(await index.RegisterIfStored("team/app", copy.Location, copy.Length));
        Assert.Null(await index.Link("team/app"));

        var stored = await Registry.BlobStore.PutAsync(Digest.Parse(digest), bytes, CancellationToken.None);
        var registered = await index.RegisterIfStored("team/app", stored.Value, copy.Length);
        Assert.Equal(["team/app"], registered!.Repositories);
        Assert.NotNull(await index.Link("other/app"));
    }

    [Fact]
    public async Task An_unregistered_copy_goes_once_older_than_the_grace_period()
    {
        var (_, index, copy) = await StoreAsync();

        Assert.Equal(BlobCollectionOutcome.Kept, (await index.Collect(copy, Policy)).Outcome);
        PassGrace();
        var collected = await index.Collect(copy, Policy);

        Assert.Equal(BlobCollectionOutcome.OrphanDeleted, collected.Outcome);
        Assert.False(await IsStoredAsync(copy));
        Assert.Null(await index.RegisterIfStored("team/app", copy.Location, copy.Length));
    }

    [Fact]
    public async Task A_blob_whose_last_repository_went_is_a_candidate_until_it_is_collected_from_its_registered_copy()
    {
        var (digest, index, copy) = await StoreAsync();
        var repository = await HoldAsync(digest, index, copy);
        var candidates = Registry.Client.GetGrain<IGcCandidatesGrain>(IGcCandidatesGrain.Key);
        Registry.Clock.Advance(TimeSpan.FromMinutes(2));
        await repository.UnlinkBlob(digest);

        await index.RemoveRepository(repository.GetPrimaryKeyString());

        Assert.Contains(digest, await candidates.List());
        var young = await index.CollectRegistered(Policy);
        Assert.Equal(BlobCollectionOutcome.Kept, young.Outcome);
        Assert.False(young.Settled);
        PassGrace();
        var collected = await index.CollectRegistered(Policy);
        Assert.Equal(BlobCollectionOutcome.Deleted, collected.Outcome);
        Assert.Equal(copy.Length, collected.Size);
        Assert.True(collected.Settled);
        Assert.False(await IsStoredAsync(copy));
        Assert.Equal(BlobCollectionOutcome.Gone, (await index.CollectRegistered(Policy)).Outcome);
    }
}
