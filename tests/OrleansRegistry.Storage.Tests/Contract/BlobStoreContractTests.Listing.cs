namespace OrleansRegistry.Storage.Tests.Contract;

public abstract partial class BlobStoreContractTests
{
    private async Task<List<StoredContent>> ListContentAsync() => await Store.ListContentAsync(None).ToListAsync();

    [Fact]
    public async Task Nothing_is_listed_in_empty_storage()
    {
        Assert.Empty(await ListContentAsync());
    }

    [Fact]
    public async Task Put_and_committed_content_are_listed_with_digest_length_and_time_but_staging_is_not()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        var put = RandomBytes(100);
        var putLocation = await StoreAsync(put);
        var uploaded = RandomBytes(3000);
        var uploadId = NewUploadId();
        var parts = await StageAsync(uploadId, uploaded, 1000);
        var committed = await Store.CommitAsync(uploadId, parts, uploaded.Length, Sha256Of(uploaded), None);
        await StageAsync(NewUploadId(), RandomBytes(500));

        var listed = (await ListContentAsync()).ToDictionary(c => c.Location);

        Assert.Equal(2, listed.Count);
        Assert.Equal(Sha256Of(put).ToString(), listed[putLocation].Digest);
        Assert.Equal(put.Length, listed[putLocation].Length);
        Assert.Equal(Sha256Of(uploaded).ToString(), listed[committed].Digest);
        Assert.Equal(uploaded.Length, listed[committed].Length);
        Assert.All(listed.Values, c => Assert.InRange(c.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [Fact]
    public async Task Deleted_content_is_no_longer_listed()
    {
        var location = await StoreAsync(RandomBytes(100));
        var kept = await StoreAsync(RandomBytes(100));

        await Store.DeleteAsync(location, None);

        Assert.Equal([kept], (await ListContentAsync()).Select(c => c.Location));
    }
}
