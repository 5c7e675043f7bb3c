using OrleansRegistry.Grains.Tests.Fixtures;
using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Uploads;

public sealed class UploadSessionGrainTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private const string Repository = "library/app";

    private RegistryCluster Registry => fixture.Registry;

    private IUploadSessionGrain NewUpload() => Registry.Client.GetGrain<IUploadSessionGrain>(Guid.NewGuid().ToString("N"));

    private static byte[] HashState(byte marker) => [marker, 1, 2, 3];

    [Fact]
    public async Task A_started_upload_is_visible_to_its_repository_only()
    {
        var upload = NewUpload();
        Assert.Null(await upload.GetStatus(Repository));

        var started = await Registry.StartUploadAsync(upload, Repository);

        Assert.Equal(Repository, started.Repository);
        Assert.Equal(0, started.Length);
        Assert.Empty(started.Parts);
        Assert.Empty(started.HashState);
        Assert.Null(started.CompletedDigest);
        var status = await upload.GetStatus(Repository);
        Assert.NotNull(status);
        Assert.Equal(0, status.Length);
        Assert.Null(await upload.GetStatus("library/other"));
    }

    [Fact]
    public async Task Chunks_at_the_committed_length_are_appended_in_order()
    {
        var upload = NewUpload();
        await Registry.StartUploadAsync(upload, Repository);

        var first = await upload.CommitChunk(Repository, 0, 100, ["part-0"], HashState(1));
        var second = await upload.CommitChunk(Repository, 100, 50, ["part-1", "part-2"], HashState(2));

        Assert.Equal(ChunkCommitStatus.Committed, first.Status);
        Assert.Equal(100, first.Upload!.Length);
        Assert.Equal(ChunkCommitStatus.Committed, second.Status);
        Assert.Equal(150, second.Upload!.Length);
        Assert.Equal(["part-0", "part-1", "part-2"], second.Upload.Parts);
        Assert.Equal(HashState(2), second.Upload.HashState);

        var status = await upload.GetStatus(Repository);
        Assert.NotNull(status);
        Assert.Equal(150, status.Length);
        Assert.Equal(["part-0", "part-1", "part-2"], status.Parts);
        Assert.Equal(HashState(2), status.HashState);
    }

    [Fact]
    public async Task A_chunk_at_a_wrong_offset_is_refused_with_the_current_snapshot()
    {
        var upload = NewUpload();
        await Registry.StartUploadAsync(upload, Repository);
        await upload.CommitChunk(Repository, 0, 100, ["part-0"], HashState(1));

        var ahead = await upload.CommitChunk(Repository, 200, 10, ["part-x"], HashState(9));
        var behind = await upload.CommitChunk(Repository, 0, 10, ["part-y"], HashState(9));

        foreach (var refused in new[] { ahead, behind })
        {
            Assert.Equal(ChunkCommitStatus.OffsetMismatch, refused.Status);
            Assert.NotNull(refused.Upload);
            Assert.Equal(100, refused.Upload.Length);
            Assert.Equal(["part-0"], refused.Upload.Parts);
            Assert.Equal(HashState(1), refused.Upload.HashState);
        }

        Assert.Equal(100, (await upload.GetStatus(Repository))!.Length);
    }

    [Fact]
    public async Task A_chunk_for_another_repository_or_an_unknown_upload_is_refused()
    {
        var upload = NewUpload();
        Assert.Equal(ChunkCommitStatus.UnknownUpload, (await upload.CommitChunk(Repository, 0, 1, ["p"], HashState(1))).Status);

        await Registry.StartUploadAsync(upload, Repository);

        var result = await upload.CommitChunk("library/other", 0, 1, ["p"], HashState(1));
        Assert.Equal(ChunkCommitStatus.UnknownUpload, result.Status);
        Assert.Null(result.Upload);
        Assert.Equal(0, (await upload.GetStatus(Repository))!.Length);
    }

    [Fact]
    public async Task Of_two_racing_chunks_at_the_same_offset_exactly_one_is_committed()
    {
        for (var round = 0; round < 10; round++)
        {
            var upload = NewUpload();
            await Registry.StartUploadAsync(upload, Repository);
            await upload.CommitChunk(Repository, 0, 10, ["p0"], HashState(0));

            var results = await Task.WhenAll(
                upload.CommitChunk(Repository, 10, 5, ["a"], HashState(1)),
                upload.CommitChunk(Repository, 10, 7, ["b"], HashState(2)));

            var committed = Assert.Single(results, r => r.Status == ChunkCommitStatus.Committed);
            var refused = Assert.Single(results, r => r.Status == ChunkCommitStatus.OffsetMismatch);
            Assert.Equal(committed.Upload!.Length, refused.Upload!.Length);
            Assert.Equal(committed.Upload.Parts, refused.Upload.Parts);
            var status = await upload.GetStatus(Repository);
            Assert.Equal(committed.Upload.Length, status!.Length);
            Assert.Equal(committed.Upload.Parts, status.Parts);
            Assert.Equal(2, status.Parts.Length);
        }
    }

    [Fact]
    public async Task A_completed_upload_shows_its_digest_and_takes_no_more_chunks()
    {
        var upload = NewUpload();
        await Registry.StartUploadAsync(upload, Repository);
        await upload.CommitChunk(Repository, 0, 100, ["part-0"], HashState(1));
        const string digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        await upload.Complete(digest);

        var status = await upload.GetStatus(Repository);
        Assert.NotNull(status);
        Assert.Equal(digest, status.CompletedDigest);
        Assert.Equal(100, status.Length);
        var late = await upload.CommitChunk(Repository, 100, 10, ["part-1"], HashState(2));
        Assert.Equal(ChunkCommitStatus.UnknownUpload, late.Status);
        Assert.Equal(digest, (await upload.GetStatus(Repository))!.CompletedDigest);
    }

    [Fact]
    public async Task A_cancelled_upload_is_gone_also_after_reactivation()
    {
        var upload = NewUpload();
        await Registry.StartUploadAsync(upload, Repository);
        await upload.CommitChunk(Repository, 0, 100, ["part-0"], HashState(1));

        await upload.Cancel();

        Assert.Null(await upload.GetStatus(Repository));
        await Registry.DeactivateAsync(upload);
        Assert.Null(await upload.GetStatus(Repository));
        Assert.Equal(ChunkCommitStatus.UnknownUpload, (await upload.CommitChunk(Repository, 100, 1, ["p"], HashState(2))).Status);
    }

    [Fact]
    public async Task An_upload_expires_only_once_idle_for_longer_than_the_limit()
    {
        var idle = TimeSpan.FromMinutes(30);
        var upload = NewUpload();
        await Registry.StartUploadAsync(upload, Repository);
        Registry.Clock.Advance(TimeSpan.FromMinutes(20));
        await upload.CommitChunk(Repository, 0, 100, ["part-0"], HashState(1));

        // 25 minutes after the start, but only 5 after the last chunk.
        Registry.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(await upload.ExpireIfIdle(idle));
        Assert.NotNull(await upload.GetStatus(Repository));

        Registry.Clock.Advance(TimeSpan.FromMinutes(24));
        Assert.False(await upload.ExpireIfIdle(idle));
        Assert.Equal(100, (await upload.GetStatus(Repository))!.Length);

        Registry.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await upload.ExpireIfIdle(idle));

        Assert.Null(await upload.GetStatus(Repository));
        await Registry.DeactivateAsync(upload);
        Assert.Null(await upload.GetStatus(Repository));
    }

    [Fact]
    public async Task Updated_at_follows_the_clock()
    {
        var upload = NewUpload();
        var started = await Registry.StartUploadAsync(upload, Repository);
        Registry.Clock.Advance(TimeSpan.FromMinutes(7));

        var committed = await upload.CommitChunk(Repository, 0, 1, ["p"], HashState(1));

        var elapsed = committed.Upload!.UpdatedAt - started.UpdatedAt;
        Assert.InRange(elapsed, TimeSpan.FromMinutes(7), TimeSpan.FromMinutes(8));
    }

    [Fact]
    public async Task Committed_chunks_are_read_back_from_the_journal_after_reactivation()
    {
        var upload = NewUpload();
        await Registry.StartUploadAsync(upload, Repository);
        await upload.CommitChunk(Repository, 0, 100, ["part-0"], HashState(1));
        await upload.CommitChunk(Repository, 100, 50, ["part-1", "part-2"], HashState(2));

        await Registry.DeactivateAsync(upload);

        var status = await upload.GetStatus(Repository);
        Assert.Equal(150, status!.Length);
        Assert.Equal(["part-0", "part-1", "part-2"], status.Parts);
        Assert.Equal(HashState(2), status.HashState);
        Assert.Equal(ChunkCommitStatus.Committed, (await upload.CommitChunk(Repository, 150, 1, ["part-3"], HashState(3))).Status);
        await Registry.DeactivateAsync(upload);
        Assert.Equal(151, (await upload.GetStatus(Repository))!.Length);
    }

    [Fact]
    public async Task A_chunk_whose_journal_append_failed_is_not_committed_and_can_be_committed_again()
    {
        var upload = NewUpload();
        await Registry.StartUploadAsync(upload, Repository);

        // A directory where the journal file goes makes the append fail with an I/O error.
        var journal = Path.Combine(Registry.RootPath, "blobs", "uploads", upload.GetPrimaryKeyString(), "journal");
        Directory.CreateDirectory(journal);
        await Assert.ThrowsAnyAsync<Exception>(() => upload.CommitChunk(Repository, 0, 10, ["p0"], HashState(1)));
        Assert.Equal(0, (await upload.GetStatus(Repository))!.Length);

        Directory.Delete(journal);
        Assert.Equal(ChunkCommitStatus.Committed, (await upload.CommitChunk(Repository, 0, 10, ["p0"], HashState(1))).Status);
        await Registry.DeactivateAsync(upload);
        Assert.Equal(["p0"], (await upload.GetStatus(Repository))!.Parts);
    }

    [Fact]
    public async Task A_session_whose_journal_moved_behind_its_back_refuses_the_chunk_and_shows_the_journal()
    {
        var upload = NewUpload();
        var id = upload.GetPrimaryKeyString();
        await Registry.StartUploadAsync(upload, Repository);
        await upload.CommitChunk(Repository, 0, 10, ["p0"], HashState(1));

        // Another activation of the session (a duplicate during a membership change) appended a chunk.
        var journal = await Registry.BlobStore.ReadJournalAsync(id, CancellationToken.None);
        var other = new ChunkRecord(10, 5, ["other"], HashState(7), DateTimeOffset.UtcNow);
        await Registry.BlobStore.AppendJournalAsync(id, journal.Length, other.ToBytes(), CancellationToken.None);

        var refused = await upload.CommitChunk(Repository, 10, 3, ["mine"], HashState(2));

        Assert.Equal(ChunkCommitStatus.OffsetMismatch, refused.Status);
        Assert.Equal(15, refused.Upload!.Length);
        Assert.Equal(["p0", "other"], refused.Upload.Parts);
        Assert.Equal(HashState(7), refused.Upload.HashState);
    }

    [Fact]
    public async Task A_chunk_of_an_upload_whose_staging_is_gone_is_refused_as_unknown()
    {
        var upload = NewUpload();
        await Registry.StartUploadAsync(upload, Repository);
        await upload.CommitChunk(Repository, 0, 10, ["p0"], HashState(1));

        await Registry.BlobStore.DeleteStagingAsync(upload.GetPrimaryKeyString(), CancellationToken.None);

        Assert.Equal(ChunkCommitStatus.UnknownUpload, (await upload.CommitChunk(Repository, 10, 1, ["p1"], HashState(2))).Status);
    }
}
