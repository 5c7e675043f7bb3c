namespace OrleansRegistry.Storage.Tests.Contract;

public abstract partial class BlobStoreContractTests
{
    [Fact]
    public async Task Putting_content_stores_it_under_its_digest()
    {
        var content = RandomBytes(2000);

        var location = await StoreAsync(content);

        Assert.Equal(content.Length, await Store.GetLengthAsync(location, None));
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task Putting_content_twice_returns_the_same_location()
    {
        var content = RandomBytes(2000);

        var first = await StoreAsync(content);
        var second = await StoreAsync(content);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => StoreAsync(content)));

        Assert.Equal(first, second);
        Assert.All(concurrent, location => Assert.Equal(first, location));
        AssertSameBytes(content, await ReadStoredAsync(second));
    }

    [Fact]
    public async Task Putting_empty_content_stores_an_empty_blob()
    {
        var location = await StoreAsync([]);

        Assert.Equal(0, await Store.GetLengthAsync(location, None));
    }

    [Fact]
    public async Task Deleting_content_is_idempotent()
    {
        var location = await StoreAsync(RandomBytes(100));

        await Store.DeleteAsync(location, None);
        await Store.DeleteAsync(location, None);

        Assert.Null(await Store.GetLengthAsync(location, None));
    }

    [Fact]
    public async Task Deleting_staging_removes_the_parts_and_the_listing()
    {
        var uploadId = NewUploadId();
        await StageInPartsAsync(uploadId, RandomBytes(3000), 1000);

        await Store.DeleteStagingAsync(uploadId, None);

        Assert.Equal(0, await CountStagedPartsAsync(uploadId));
        Assert.DoesNotContain(uploadId, await ListedUploadIdsAsync());
    }

    [Fact]
    public async Task Deleting_staging_after_the_commit_keeps_the_committed_content()
    {
        // The janitor expires finished uploads too; their staging may have become the content.
        var uploadId = NewUploadId();
        var content = RandomBytes(70_000);
        var parts = await StageInPartsAsync(uploadId, content, 30_000);
        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        await Store.DeleteStagingAsync(uploadId, None);

        Assert.Equal(content.Length, await Store.GetLengthAsync(location, None));
        AssertSameBytes(content, await ReadStoredAsync(location));
        Assert.Equal(location, await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None));
    }

    [Fact]
    public async Task Deleting_staging_of_an_unknown_upload_is_no_error()
    {
        await Store.DeleteStagingAsync(NewUploadId(), None);
    }

    [Fact]
    public async Task Listing_shows_an_upload_with_the_time_of_its_last_write()
    {
        var uploadId = NewUploadId();
        var otherUploadId = NewUploadId();
        var before = DateTimeOffset.UtcNow;
        await StageAsync(uploadId, RandomBytes(100));
        await StageAsync(otherUploadId, RandomBytes(100));
        var after = DateTimeOffset.UtcNow;

        var listed = await Store.ListStagedUploadsAsync(None).ToListAsync();

        var upload = Assert.Single(listed, staged => staged.UploadId == uploadId);
        Assert.Contains(listed, staged => staged.UploadId == otherUploadId);

        // Storage clocks and timestamp granularity differ a little from this process's clock.
        var tolerance = TimeSpan.FromSeconds(5);
        Assert.InRange(upload.LastModified, before - tolerance, after + tolerance);
    }

    [Fact]
    public async Task Listing_empty_storage_yields_nothing()
    {
        Assert.Empty(await ListedUploadIdsAsync());
    }

    private async Task<List<string>> ListedUploadIdsAsync() =>
        await Store.ListStagedUploadsAsync(None).Select(staged => staged.UploadId).ToListAsync();
}
