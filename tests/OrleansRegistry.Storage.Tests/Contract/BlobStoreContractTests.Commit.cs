using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Storage.Tests.Contract;

public abstract partial class BlobStoreContractTests
{
    [Fact]
    public async Task Committing_one_part_stores_the_content()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(123_457);
        var parts = await StageAsync(uploadId, content, 1000, 33_333);

        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        Assert.Equal(content.Length, await Store.GetLengthAsync(location, None));
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task Committing_several_parts_stores_their_concatenation()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(250_000);
        var parts = await StageInPartsAsync(uploadId, content, 100_000, 1, 99_999);

        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        Assert.Equal(content.Length, await Store.GetLengthAsync(location, None));
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task Committing_drops_the_parts()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(10_000);
        var parts = await StageInPartsAsync(uploadId, content, 5000);

        await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        Assert.Equal(0, await CountStagedPartsAsync(uploadId));
    }

    [Fact]
    public async Task Committing_empty_content_stores_an_empty_blob()
    {
        var uploadId = NewUploadId();
        var parts = await StageAsync(uploadId, ReadOnlyMemory<byte>.Empty);

        var location = await Store.CommitAsync(uploadId, parts, 0, Sha256Of([]), None);

        Assert.Equal(0, await Store.GetLengthAsync(location, None));
        Assert.Empty(await ReadStoredAsync(location));
    }

    [Fact]
    public async Task Committing_under_a_sha512_digest_stores_the_content()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(4000);
        var parts = await StageAsync(uploadId, content);

        var location = await Store.CommitAsync(uploadId, parts, content.Length, Digest.Compute(DigestAlgorithm.Sha512, content), None);

        AssertSameBytes(content, await ReadStoredAsync(location));
        Assert.NotEqual(location, await StoreAsync(content));
    }

    [Fact]
    public async Task Repeating_a_commit_returns_the_same_location()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(3000);
        var parts = await StageAsync(uploadId, content);

        var first = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);
        var second = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        Assert.Equal(first, second);
        AssertSameBytes(content, await ReadStoredAsync(second));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task Committing_with_the_wrong_length_throws_and_stores_nothing(int lengthError)
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(3000);
        var parts = await StageInPartsAsync(uploadId, content, 1000);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CommitAsync(uploadId, parts, content.Length + lengthError, Sha256Of(content), None));

        // Nothing was published, and the parts are still there to retry or clean up.
        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task Committing_with_the_wrong_length_of_stored_content_throws()
    {
        var content = RandomBytes(3000);
        await StoreAsync(content);
        var uploadId = NewUploadId();
        var parts = await StageAsync(uploadId, content);

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CommitAsync(uploadId, parts, content.Length + 1, Sha256Of(content), None));
    }

    [Fact]
    public async Task Committing_parts_that_are_not_staged_throws_BlobNotFound()
    {
        // Parts of another upload were never staged in this one.
        var uploadId = NewUploadId();
        var content = RandomBytes(300);
        var parts = await StageAsync(NewUploadId(), content);

        await Assert.ThrowsAsync<BlobNotFoundException>(
            () => Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None));
    }

    [Fact]
    public async Task Large_content_written_in_irregular_pieces_round_trips_exactly()
    {
        var content = RandomBytes(20 * 1024 * 1024);
        var singleUpload = NewUploadId();
        var multiUpload = NewUploadId();
        int[] writeSizes = [1, 4095, 65_537, 1024 * 1024 + 3, 17, 3 * 1024 * 1024];
        var singlePart = await StageAsync(singleUpload, content, writeSizes);
        var multiPart = new List<string>();
        multiPart.AddRange(await StageAsync(multiUpload, content.AsMemory(0, 7_000_001), writeSizes));
        multiPart.AddRange(await StageAsync(multiUpload, content.AsMemory(7_000_001), writeSizes.Reverse().ToArray()));

        AssertSameBytes(content, await ReadAllAsync(await Store.OpenStagedAsync(multiUpload, multiPart, None)));
        var fromSingle = await Store.CommitAsync(singleUpload, singlePart, content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadStoredAsync(fromSingle));
        await Store.DeleteAsync(fromSingle, None);
        var fromMulti = await Store.CommitAsync(multiUpload, multiPart, content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadStoredAsync(fromMulti));
    }
}
