using OrleansRegistry.Grains.Blobs;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;
using Xunit;
using static OrleansRegistry.Grains.Tests.Fixtures.TestData;

namespace OrleansRegistry.Grains.Tests.State;

/// <summary>
/// A grain whose storage write fails must not act on the state it failed to store, and a retry
/// must succeed. Faults are injected by the recording storage: before anything is written (disk
/// full), or after the new file is in place (the final directory fsync failed; the file storage
/// then already hands the new etag back, so that a retry can succeed).
/// </summary>
public sealed class GrainStorageFailureTests(RecordingRegistryClusterFixture fixture) : IClassFixture<RecordingRegistryClusterFixture>
{
    private RegistryCluster Registry => fixture.Registry;

    private IClusterClient Client => Registry.Client;

    private void FailNextWrite(IAddressable grain, string statePrefix, bool afterPersisting)
    {
        var grainId = grain.GetGrainId();
        Registry.Recorder.FailNextWrite((state, id) => id == grainId && state.StartsWith(statePrefix, StringComparison.Ordinal), afterPersisting);
    }

    private async Task ExpectInjectedFailureAsync(Func<Task> call)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(call);
        Assert.Contains("injected failure", error.Message);
        Assert.False(Registry.Recorder.FaultPending);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_tag_push_whose_write_failed_succeeds_when_retried(bool afterPersisting)
    {
        var repository = Client.GetGrain<IRepositoryGrain>(UniqueName());
        var blob = Digest("config");
        await repository.LinkBlob(blob, 1, BlobLocation(blob));
        var manifest = Manifest("app", [blob]);
        FailNextWrite(repository, "tags-", afterPersisting);

        await ExpectInjectedFailureAsync(() => repository.PutManifest(manifest, "latest", true));

        var retried = await repository.PutManifest(manifest, "latest", true);
        Assert.Equal(PutManifestStatus.Stored, retried.Status);
        ManifestAssert.Same(manifest, await repository.ResolveTag("latest"));
        await Registry.DeactivateAsync(repository);
        ManifestAssert.Same(manifest, await repository.ResolveTag("latest"));
    }

    [Fact]
    public async Task A_tag_deletion_whose_write_failed_after_persisting_succeeds_when_retried()
    {
        var repository = Client.GetGrain<IRepositoryGrain>(UniqueName());
        var blob = Digest("config");
        await repository.LinkBlob(blob, 1, BlobLocation(blob));
        await repository.PutManifest(Manifest("app", [blob]), "latest", true);
        await repository.PutManifest(Manifest("app", [blob]), "other", true);
        FailNextWrite(repository, "tags-", afterPersisting: true);

        await ExpectInjectedFailureAsync(() => repository.DeleteTag("latest"));

        // The tag is gone from storage; whatever the retry answers, it must not throw, and the
        // repository must keep accepting writes to that bucket.
        await repository.DeleteTag("latest");
        Assert.Null(await repository.ResolveTag("latest"));
        Assert.Equal(PutManifestStatus.Stored, (await repository.PutManifest(Manifest("app", [blob]), "latest", true)).Status);
    }

    [Fact]
    public async Task A_first_write_whose_repository_record_failed_still_makes_the_repository_exist()
    {
        var repository = Client.GetGrain<IRepositoryGrain>(UniqueName());
        var blob = Digest("layer");
        FailNextWrite(repository, "meta", afterPersisting: false);

        await ExpectInjectedFailureAsync(() => repository.LinkBlob(blob, 1, BlobLocation(blob)));
        await repository.LinkBlob(blob, 1, BlobLocation(blob));

        Assert.True(await repository.Exists());
        await Registry.DeactivateAsync(repository);
        Assert.NotNull(await repository.GetBlob(blob));
        Assert.True(await repository.Exists());
    }

    [Fact]
    public async Task A_blob_registration_that_failed_is_not_reported_and_its_retry_is_stored()
    {
        var blob = Client.GetGrain<IBlobGrain>(Digest(Guid.NewGuid().ToString()));
        FailNextWrite(blob, "blob", afterPersisting: false);

        await ExpectInjectedFailureAsync(() => blob.Register("copy/one", 10));

        Assert.Null(await blob.Get());
        Assert.Equal("copy/one", (await blob.Register("copy/one", 10)).Location);
        await Registry.DeactivateAsync(blob);
        Assert.Equal("copy/one", (await blob.Get())?.Location);
    }

    [Fact]
    public async Task A_registration_for_a_repository_that_failed_records_neither_and_its_retry_both()
    {
        var blob = Client.GetGrain<IBlobGrain>(Digest(Guid.NewGuid().ToString()));
        FailNextWrite(blob, "blob", afterPersisting: false);

        await ExpectInjectedFailureAsync(() => blob.RegisterFor("a/app", "copy/one", 10));

        Assert.Null(await blob.Get());
        await blob.RegisterFor("a/app", "copy/one", 10);
        await Registry.DeactivateAsync(blob);
        var stored = await blob.Get();
        Assert.Equal("copy/one", stored?.Location);
        Assert.Equal(["a/app"], stored!.Repositories);

        // Registered already: a failed write leaves out only the new repository.
        FailNextWrite(blob, "blob", afterPersisting: false);
        await ExpectInjectedFailureAsync(() => blob.RegisterFor("b/app", "copy/two", 10));
        Assert.Equal(["a/app"], (await blob.Get())!.Repositories);
    }

    [Fact]
    public async Task Registering_for_a_repository_is_one_state_write_and_nothing_when_already_recorded()
    {
        var blob = Client.GetGrain<IBlobGrain>(Digest(Guid.NewGuid().ToString()));
        var grainId = blob.GetGrainId();

        await blob.RegisterFor("a/app", "copy/one", 10);
        Assert.Equal(1, Registry.Recorder.Writes.Count(write => write.GrainId == grainId));

        await blob.RegisterFor("a/app", "copy/two", 10);
        Assert.Equal(1, Registry.Recorder.Writes.Count(write => write.GrainId == grainId));

        await blob.RegisterFor("b/app", "copy/two", 10);
        Assert.Equal(2, Registry.Recorder.Writes.Count(write => write.GrainId == grainId));
    }

    [Fact]
    public async Task A_repository_link_on_a_blob_that_failed_is_rolled_back()
    {
        var blob = Client.GetGrain<IBlobGrain>(Digest(Guid.NewGuid().ToString()));
        await blob.Register("copy/one", 10);
        FailNextWrite(blob, "blob", afterPersisting: false);

        await ExpectInjectedFailureAsync(() => blob.AddRepository("a/app"));

        Assert.Empty((await blob.Get())!.Repositories);
        await blob.AddRepository("a/app");
        await Registry.DeactivateAsync(blob);
        Assert.Equal(["a/app"], (await blob.Get())!.Repositories);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_upload_whose_completion_failed_is_not_completed_and_can_complete_again(bool afterPersisting)
    {
        const string digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        var upload = Client.GetGrain<IUploadSessionGrain>(Guid.NewGuid().ToString("N"));
        await Registry.StartUploadAsync(upload, "a/app");
        await upload.CommitChunk("a/app", 0, 10, ["p0"], [1]);
        FailNextWrite(upload, "upload", afterPersisting);

        await ExpectInjectedFailureAsync(() => upload.Complete(digest));

        Assert.Null((await upload.GetStatus("a/app"))!.CompletedDigest);
        await upload.Complete(digest);
        await Registry.DeactivateAsync(upload);
        var status = await upload.GetStatus("a/app");
        Assert.Equal(digest, status!.CompletedDigest);
        Assert.Equal(10, status.Length);
    }

    [Fact]
    public async Task Committing_chunks_writes_no_grain_state()
    {
        var upload = Client.GetGrain<IUploadSessionGrain>(Guid.NewGuid().ToString("N"));
        await Registry.StartUploadAsync(upload, "a/app");
        var grainId = upload.GetGrainId();
        var before = Registry.Recorder.Writes.Count(write => write.GrainId == grainId);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ChunkCommitStatus.Committed, (await upload.CommitChunk("a/app", i * 10, 10, [$"p{i}"], [(byte)i])).Status);
        }

        Assert.Equal(1, before);
        Assert.Equal(before, Registry.Recorder.Writes.Count(write => write.GrainId == grainId));
    }
}
