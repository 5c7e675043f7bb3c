namespace OrleansRegistry.Storage.Tests.FileSystem;

/// <summary>
/// The filesystem provider's staging: one data file per upload, owned by one attempt at a time
/// (also across stores sharing the root, as processes do in cluster mode), cut back to the
/// committed length before each attempt's first byte, renamed into place by the commit.
/// </summary>
public sealed partial class FileSystemBlobStoreTests
{
    [Fact]
    public async Task A_second_attempt_is_refused_while_the_first_holds_the_upload()
    {
        var uploadId = NewUploadId();
        var otherProcess = CreateStore();
        await using (var first = await Store.BeginStagingAsync(uploadId, 0, None))
        {
            var refused = await Assert.ThrowsAsync<StagingConflictException>(async () => await Store.BeginStagingAsync(uploadId, 0, None));
            Assert.Equal(uploadId, refused.UploadId);
            await Assert.ThrowsAsync<StagingConflictException>(async () => await otherProcess.BeginStagingAsync(uploadId, 0, None));

            // Other uploads are not held up.
            await StageAsync(NewUploadId(), RandomBytes(10));
            await first.WriteAsync(RandomBytes(10), None);
            await first.CompleteAsync(None);

            // Completing does not let go: only disposing does, once the upload has decided.
            await Assert.ThrowsAsync<StagingConflictException>(async () => await Store.BeginStagingAsync(uploadId, 10, None));
        }

        await using var next = await otherProcess.BeginStagingAsync(uploadId, 10, None);
    }

    [Fact]
    public async Task Bytes_a_dead_attempt_left_past_the_committed_length_are_dropped_by_the_next_one()
    {
        var uploadId = NewUploadId();
        var head = RandomBytes(1000);
        var tail = RandomBytes(300);
        var headParts = await StageAsync(uploadId, head);

        // A process killed mid-chunk: bytes past the committed length, never flushed or committed.
        await File.AppendAllBytesAsync(DataPathOf(uploadId), RandomBytes(5000));
        await using (var stale = await Store.BeginStagingAsync(uploadId, head.Length, None))
        {
            // Begun and given up without a byte (the offset moved meanwhile): nothing is touched yet.
        }

        Assert.Equal(6000, new FileInfo(DataPathOf(uploadId)).Length);
        var tailParts = await StageAsync(uploadId, tail);

        Assert.Equal(1300, new FileInfo(DataPathOf(uploadId)).Length);
        byte[] content = [.. head, .. tail];
        var location = await Store.CommitAsync(uploadId, [.. headParts, .. tailParts], content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task The_commit_cuts_bytes_past_the_committed_length()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(2000);
        var parts = await StageInPartsAsync(uploadId, content, 1200);
        await File.AppendAllBytesAsync(DataPathOf(uploadId), RandomBytes(999));

        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        Assert.Equal(content, await File.ReadAllBytesAsync(PathOf(location)));
    }

    [Fact]
    public async Task An_abandoned_attempt_cuts_the_file_back_to_the_committed_length()
    {
        var uploadId = NewUploadId();
        await StageAsync(uploadId, RandomBytes(100));

        await using (var writer = await Store.BeginStagingAsync(uploadId, 100, None))
        {
            await writer.WriteAsync(RandomBytes(3 * 1024 * 1024), None);
        }

        Assert.Equal(100, new FileInfo(DataPathOf(uploadId)).Length);
    }

    [Fact]
    public async Task The_commit_renames_the_data_file_instead_of_copying_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var uploadId = NewUploadId();
        var content = RandomBytes(100_000);
        var parts = await StageInPartsAsync(uploadId, content, 30_000, 30_000);
        using var beforeCommit = File.OpenHandle(DataPathOf(uploadId), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        // The same file: a byte written through a handle opened on the data file shows in the content.
        RandomAccess.Write(beforeCommit, new byte[] { (byte)~content[0] }, 0);
        Assert.Equal((byte)~content[0], (await File.ReadAllBytesAsync(PathOf(location)))[0]);
        Assert.False(File.Exists(DataPathOf(uploadId)));
        Assert.Empty(FilesUnder("tmp"));
    }

    [Fact]
    public async Task A_commit_waits_for_an_attempt_that_still_holds_the_upload()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(5000);
        var parts = await StageAsync(uploadId, content);
        var straggler = await Store.BeginStagingAsync(uploadId, content.Length, None);
        await straggler.WriteAsync(RandomBytes(4000), None);

        var commit = Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);
        await Task.Delay(300);
        Assert.False(commit.IsCompleted);
        await straggler.CompleteAsync(None);
        await straggler.DisposeAsync();

        AssertSameBytes(content, await ReadStoredAsync(await commit));
    }

    [Fact]
    public async Task A_commit_gives_up_on_an_attempt_that_holds_the_upload_too_long()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(500);
        var parts = await StageAsync(uploadId, content);
        var impatient = CreateStore(TimeSpan.FromMilliseconds(50));
        await using (await Store.BeginStagingAsync(uploadId, content.Length, None))
        {
            await Assert.ThrowsAsync<StagingConflictException>(
                () => impatient.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None));
        }

        // Nothing changed: the commit goes through once the upload is free.
        AssertSameBytes(content, await ReadStoredAsync(await impatient.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None)));
    }

    [Fact]
    public async Task Committed_bytes_that_are_no_longer_staged_are_not_found()
    {
        // The upload grain says 1500 bytes, but its staging holds only 1000 (dropped after another
        // attempt overwrote a chunk committed behind its back, or an upload never staged here).
        var uploadId = NewUploadId();
        var parts = await StageAsync(uploadId, RandomBytes(1000));
        IReadOnlyList<string> claimed = [.. parts, "data-1000-1500"];

        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Store.BeginStagingAsync(uploadId, 1500, None));
        await Assert.ThrowsAsync<BlobNotFoundException>(async () => await Store.BeginStagingAsync(NewUploadId(), 1, None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenStagedAsync(uploadId, claimed, None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.CommitAsync(uploadId, claimed, 1500, Sha256Of(RandomBytes(1500)), None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.CommitAsync(uploadId, ["not-a-range"], 0, Sha256Of([]), None));
    }

    [Fact]
    public async Task Parts_that_are_not_one_after_another_are_not_committed()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(3000);
        var parts = await StageInPartsAsync(uploadId, content, 1000);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CommitAsync(uploadId, [parts[1], parts[0]], content.Length, Sha256Of(content), None));
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CommitAsync(uploadId, [parts[1]], content.Length - 1000, Sha256Of(content), None));

        AssertSameBytes(content, await ReadStoredAsync(await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None)));
    }

    [Fact]
    public async Task An_upload_that_staged_nothing_commits_and_reads_as_empty()
    {
        var uploadId = NewUploadId();

        Assert.Empty(await ReadAllAsync(await Store.OpenStagedAsync(uploadId, [], None)));
        var location = await Store.CommitAsync(uploadId, [], 0, Sha256Of([]), None);

        Assert.Equal(0, await Store.GetLengthAsync(location, None));
    }
}
