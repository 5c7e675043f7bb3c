using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.FileSystem;

namespace OrleansRegistry.Storage.Tests.FileSystem;

public sealed partial class FileSystemBlobStoreTests
{
    [Fact]
    public async Task Content_lives_under_blobs_algorithm_and_hex_prefix()
    {
        var content = RandomBytes(100);
        var digest = Sha256Of(content);

        var location = await Store.PutAsync(digest, content, None);

        Assert.Equal($"blobs/sha256/{digest.Hex[..2]}/{digest.Hex}", location.Value);
        Assert.Equal(content, await File.ReadAllBytesAsync(PathOf(location)));
    }

    [Fact]
    public async Task All_attempts_append_to_one_data_file_and_name_their_byte_ranges()
    {
        var uploadId = NewUploadId();

        var parts = await StageInPartsAsync(uploadId, RandomBytes(300), 100, 100);

        var files = Directory.GetFiles(Path.Combine(root.Path, "uploads", uploadId)).Select(Path.GetFileName);
        Assert.Equal(["data"], files);
        Assert.Equal(["data-0-100", "data-100-200", "data-200-300"], parts);
        Assert.Equal(300, new FileInfo(Path.Combine(root.Path, "uploads", uploadId, "data")).Length);
    }

    [Fact]
    public async Task Content_does_not_exist_at_its_final_path_before_the_commit()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(5000);
        var digest = Sha256Of(content);
        var finalPath = Path.Combine(root.Path, $"blobs/sha256/{digest.Hex[..2]}/{digest.Hex}");

        var parts = await StageInPartsAsync(uploadId, content, 2000);

        Assert.False(File.Exists(finalPath));
        var location = await Store.CommitAsync(uploadId, parts, content.Length, digest, None);
        Assert.Equal(finalPath, PathOf(location));
        Assert.True(File.Exists(finalPath));
    }

    [Fact]
    public async Task Commits_and_puts_leave_nothing_in_tmp_or_the_upload()
    {
        var single = RandomBytes(1000);
        var multi = RandomBytes(2000);
        var singleUpload = NewUploadId();
        var multiUpload = NewUploadId();

        await Store.CommitAsync(singleUpload, await StageAsync(singleUpload, single), single.Length, Sha256Of(single), None);
        await Store.CommitAsync(multiUpload, await StageInPartsAsync(multiUpload, multi, 500, 500), multi.Length, Sha256Of(multi), None);
        await StoreAsync(RandomBytes(300));
        await StoreAsync(multi);

        Assert.Empty(FilesUnder("tmp"));
        Assert.Empty(FilesUnder("uploads"));
        Assert.Equal(3, FilesUnder("blobs").Length);
    }

    [Fact]
    public async Task Stores_sharing_a_root_dedup_racing_commits()
    {
        var content = RandomBytes(200_000);
        var stores = Enumerable.Range(0, 4).Select(_ => CreateStore()).ToArray();
        var uploads = new List<(IBlobStore Store, string UploadId, IReadOnlyList<string> Parts)>();
        foreach (var (store, index) in stores.Select((store, index) => (store, index)))
        {
            // Half the uploads stage several chunks, so uploads of both shapes race.
            var uploadId = NewUploadId();
            var parts = index % 2 == 0
                ? await StageAtAsync(store, uploadId, 0, content)
                : [.. await StageAtAsync(store, uploadId, 0, content.AsMemory(0, 1000)), .. await StageAtAsync(store, uploadId, 1000, content.AsMemory(1000))];
            uploads.Add((store, uploadId, parts));
        }

        var locations = await Task.WhenAll(uploads.Select(
            upload => Task.Run(() => upload.Store.CommitAsync(upload.UploadId, upload.Parts, content.Length, Sha256Of(content), None))));

        Assert.Single(locations.Distinct());
        Assert.Equal(content, await File.ReadAllBytesAsync(PathOf(locations[0])));
        Assert.Empty(FilesUnder("tmp"));
        Assert.Empty(FilesUnder("uploads"));
    }

    [Fact]
    public async Task Content_being_read_stays_readable_while_deleted()
    {
        var content = RandomBytes(300_000);
        var location = await StoreAsync(content);
        var stream = await Store.OpenReadAsync(location, 0, null, None);

        await Store.DeleteAsync(location, None);

        AssertSameBytes(content, await ReadAllAsync(stream));
    }

    [Fact]
    public async Task Listing_skips_entries_that_are_not_uploads()
    {
        Directory.CreateDirectory(Path.Combine(root.Path, "uploads", "not.an.upload"));
        var uploadId = NewUploadId();
        await StageAsync(uploadId, RandomBytes(10));

        var listed = await Store.ListStagedUploadsAsync(None).Select(staged => staged.UploadId).ToListAsync();

        Assert.Equal([uploadId], listed);
    }

    [Fact]
    public void Options_require_a_root_path()
    {
        Assert.ThrowsAny<ArgumentException>(() => new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = " " }));
    }

    [Fact]
    public async Task Sha512_content_lives_under_its_own_algorithm_folder()
    {
        var content = RandomBytes(10);
        var digest = Digest.Compute(DigestAlgorithm.Sha512, content);

        var location = await Store.PutAsync(digest, content, None);

        Assert.StartsWith("blobs/sha512/", location.Value);
        Assert.True(File.Exists(PathOf(location)));
    }
}
