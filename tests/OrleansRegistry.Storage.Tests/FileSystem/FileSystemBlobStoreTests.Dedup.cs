using OrleansRegistry.Storage.FileSystem;
using OrleansRegistry.Storage.Tests.Contract;

namespace OrleansRegistry.Storage.Tests.FileSystem;

/// <summary>
/// What the filesystem provider does beyond the contract: content already stored under a digest is
/// recognised at commit (dedup), and deleting parts drops their bytes. Azure does neither (the blob
/// index dedups; uncommitted blocks cannot be deleted one by one).
/// </summary>
public sealed partial class FileSystemBlobStoreTests
{
    [Fact]
    public async Task Committing_content_already_stored_returns_its_location_and_drops_the_parts()
    {
        var content = RandomBytes(20_000);
        var existing = await StoreAsync(content);
        var uploadId = NewUploadId();
        var parts = await StageInPartsAsync(uploadId, content, 7000);

        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        Assert.Equal(existing, location);
        Assert.Equal(0, await CountStagedPartsAsync(uploadId));
        AssertSameBytes(content, await ReadStoredAsync(location));
    }

    [Fact]
    public async Task Committing_the_same_content_from_two_uploads_stores_it_once()
    {
        var content = RandomBytes(50_000);
        var firstUpload = NewUploadId();
        var secondUpload = NewUploadId();
        var firstParts = await StageAsync(firstUpload, content);
        var secondParts = await StageInPartsAsync(secondUpload, content, 10_000);

        var locations = await Task.WhenAll(
            Store.CommitAsync(firstUpload, firstParts, content.Length, Sha256Of(content), None),
            Store.CommitAsync(secondUpload, secondParts, content.Length, Sha256Of(content), None));

        Assert.Equal(locations[0], locations[1]);
        AssertSameBytes(content, await ReadStoredAsync(locations[0]));
        Assert.Equal(0, await CountStagedPartsAsync(firstUpload));
        Assert.Equal(0, await CountStagedPartsAsync(secondUpload));
    }

    [Fact]
    public async Task Deleting_parts_cuts_the_data_file_back_to_the_first_of_them()
    {
        var uploadId = NewUploadId();
        var kept = RandomBytes(500);
        var keptParts = await StageAsync(uploadId, kept);
        var dropped = await StageAtAsync(Store, uploadId, kept.Length, RandomBytes(700));

        await Store.DeletePartsAsync(uploadId, dropped, None);
        await Store.DeletePartsAsync(uploadId, dropped, None);

        Assert.Equal(kept.Length, new FileInfo(DataPathOf(uploadId)).Length);
        AssertSameBytes(kept, await ReadAllAsync(await Store.OpenStagedAsync(uploadId, keptParts, None)));
    }
}
