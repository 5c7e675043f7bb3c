namespace OrleansRegistry.Storage.Tests.Contract;

public abstract partial class BlobStoreContractTests
{
    [Fact]
    public async Task Writer_counts_the_bytes_written()
    {
        await using var writer = await Store.BeginStagingAsync(NewUploadId(), 0, None);
        await writer.WriteAsync(RandomBytes(10), None);
        await writer.WriteAsync(RandomBytes(5), None);

        Assert.Equal(15, writer.Length);
    }

    [Fact]
    public async Task Completed_attempt_returns_its_parts_and_stays_staged()
    {
        var uploadId = NewUploadId();

        var parts = await StageAsync(uploadId, RandomBytes(1000));

        Assert.NotEmpty(parts);
        Assert.Equal(parts.Count, await CountStagedPartsAsync(uploadId));
    }

    [Fact]
    public async Task Abandoned_attempt_leaves_no_part()
    {
        var uploadId = NewUploadId();
        var kept = await StageAsync(uploadId, RandomBytes(100));

        await using (var writer = await Store.BeginStagingAsync(uploadId, 100, None))
        {
            await writer.WriteAsync(RandomBytes(5000), None);
        }

        Assert.Equal(kept.Count, await CountStagedPartsAsync(uploadId));
    }

    [Fact]
    public async Task Of_two_racing_attempts_at_most_one_is_committed_and_it_reads_back_intact()
    {
        // A provider either lets both attempts stage side by side (the upload grain keeps one), or
        // refuses the second while the first holds the upload (StagingConflictException).
        var uploadId = NewUploadId();
        var kept = await StageAsync(uploadId, RandomBytes(10_000));
        var first = RandomBytes(300_000);
        var second = RandomBytes(200_000);
        await using var firstWriter = await Store.BeginStagingAsync(uploadId, 10_000, None);
        IStagingWriter? secondWriter = null;
        try
        {
            secondWriter = await Store.BeginStagingAsync(uploadId, 10_000, None);
        }
        catch (StagingConflictException conflict)
        {
            Assert.Equal(uploadId, conflict.UploadId);
        }

        IReadOnlyList<string> firstParts;
        await using (secondWriter)
        {
            IReadOnlyList<string> secondParts = [];
            if (secondWriter is not null)
            {
                // Interleave the writes the way two concurrent requests would.
                await Task.WhenAll(
                    WriteInPiecesAsync(firstWriter, first, 1000, 65_536),
                    WriteInPiecesAsync(secondWriter, second, 4096, 7));
                secondParts = await secondWriter.CompleteAsync(None);
            }
            else
            {
                await WriteInPiecesAsync(firstWriter, first, 1000, 65_536);
            }

            firstParts = await firstWriter.CompleteAsync(None);
            Assert.Empty(firstParts.Intersect(secondParts));
            AssertSameBytes(first, await ReadAllAsync(await Store.OpenStagedAsync(uploadId, firstParts, None)));

            // The upload keeps the first attempt and drops the second; then both are done.
            if (secondWriter is not null)
            {
                await Store.DeletePartsAsync(uploadId, secondParts, None);
            }

            await firstWriter.DisposeAsync();
        }

        var content = (await ReadAllAsync(await Store.OpenStagedAsync(uploadId, kept, None))).Concat(first).ToArray();
        var location = await Store.CommitAsync(uploadId, [.. kept, .. firstParts], content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task A_new_attempt_can_begin_once_the_previous_one_is_disposed()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(3000);
        await using (var abandoned = await Store.BeginStagingAsync(uploadId, 0, None))
        {
            await abandoned.WriteAsync(RandomBytes(777), None);
        }

        var parts = await StageAsync(uploadId, content);

        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task An_attempt_that_was_never_committed_is_replaced_by_the_next_one()
    {
        // A chunk staged and completed whose commit to the upload failed (or lost), then a retry.
        var uploadId = NewUploadId();
        var head = RandomBytes(1000);
        var tail = RandomBytes(500);
        var headParts = await StageAsync(uploadId, head);
        await StageAtAsync(Store, uploadId, head.Length, RandomBytes(2000));

        var tailParts = await StageAtAsync(Store, uploadId, head.Length, tail);

        byte[] content = [.. head, .. tail];
        var location = await Store.CommitAsync(uploadId, [.. headParts, .. tailParts], content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task An_attempt_with_a_stale_committed_length_changes_nothing_until_it_writes()
    {
        // The server reads the committed length again once the attempt has begun, and gives up
        // when a racing chunk moved it; the committed bytes must still be intact then.
        var uploadId = NewUploadId();
        var content = RandomBytes(4000);
        var parts = await StageInPartsAsync(uploadId, content, 1500);

        await using (await Store.BeginStagingAsync(uploadId, 1500, None))
        {
        }

        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task Staged_parts_read_as_their_concatenation_in_the_given_order()
    {
        var uploadId = NewUploadId();
        var a = RandomBytes(1000);
        var b = RandomBytes(0);
        var c = RandomBytes(70_000);
        var partsA = await StageAsync(uploadId, a);
        var partsB = await StageAsync(uploadId, b);
        var partsC = await StageAsync(uploadId, c);

        var read = await ReadAllAsync(await Store.OpenStagedAsync(uploadId, [.. partsC, .. partsB, .. partsA], None));

        AssertSameBytes([.. c, .. b, .. a], read);
    }

    [Fact]
    public async Task Opening_a_part_that_is_not_staged_throws_BlobNotFound()
    {
        // Parts of another upload were never staged in this one.
        var uploadId = NewUploadId();
        var parts = await StageAsync(NewUploadId(), RandomBytes(10));

        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenStagedAsync(uploadId, parts, None));
    }

}
