namespace OrleansRegistry.Storage.Tests.Contract;

public abstract partial class BlobStoreContractTests
{
    [Fact]
    public async Task Writer_counts_the_bytes_written()
    {
        await using var writer = await Store.BeginStagingAsync(NewUploadId(), None);
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

        await using (var writer = await Store.BeginStagingAsync(uploadId, None))
        {
            await writer.WriteAsync(RandomBytes(5000), None);
        }

        Assert.Equal(kept.Count, await CountStagedPartsAsync(uploadId));
    }

    [Fact]
    public async Task Racing_attempts_of_one_upload_write_separate_parts()
    {
        var uploadId = NewUploadId();
        var first = RandomBytes(300_000);
        var second = RandomBytes(200_000);
        await using var firstWriter = await Store.BeginStagingAsync(uploadId, None);
        await using var secondWriter = await Store.BeginStagingAsync(uploadId, None);

        // Interleave the writes the way two concurrent requests would.
        await Task.WhenAll(
            WriteInPiecesAsync(firstWriter, first, 1000, 65_536),
            WriteInPiecesAsync(secondWriter, second, 4096, 7));
        var firstParts = await firstWriter.CompleteAsync(None);
        var secondParts = await secondWriter.CompleteAsync(None);

        Assert.Empty(firstParts.Intersect(secondParts));
        AssertSameBytes(first, await ReadAllAsync(await Store.OpenStagedAsync(uploadId, firstParts, None)));
        AssertSameBytes(second, await ReadAllAsync(await Store.OpenStagedAsync(uploadId, secondParts, None)));

        // The upload keeps the first attempt and drops the second.
        await Store.DeletePartsAsync(uploadId, secondParts, None);
        var location = await Store.CommitAsync(uploadId, firstParts, first.Length, Sha256Of(first), None);
        AssertSameBytes(first, await ReadStoredAsync(location));
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
