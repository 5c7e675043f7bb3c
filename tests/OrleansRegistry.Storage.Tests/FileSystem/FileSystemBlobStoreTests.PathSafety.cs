namespace OrleansRegistry.Storage.Tests.FileSystem;

public sealed partial class FileSystemBlobStoreTests
{
    public static TheoryData<string> InvalidIds =>
    [
        "",
        "..",
        "../escape",
        "a/b",
        "a\\b",
        "a.b",
        "/absolute",
        "with space",
        "é",
        new string('a', 65),
    ];

    public static TheoryData<string> ForeignLocations =>
    [
        "",
        "../outside",
        "/etc/passwd",
        "blobs/sha256/../../../outside",
        "blobs/sha256/ab/../../../../outside",
        "uploads/x/y",
        "tmp/x",
        "blobs/md5/ab/ab",
        "blobs/sha256/aa/" + new string('b', 64),
        "blobs/sha256/AB/" + "AB" + new string('c', 62),
        "blobs/sha256/ab/" + "ab" + new string('c', 61),
        "blobs/sha256/ab/" + "ab" + new string('c', 62) + "/x",
        "blobs\\sha256\\ab\\" + "ab" + new string('c', 62),
    ];

    [Fact]
    public async Task Ids_of_64_word_characters_are_accepted()
    {
        var uploadId = new string('A', 30) + "-_" + new string('9', 32);

        var parts = await StageAsync(uploadId, RandomBytes(10));

        Assert.Single(parts);
    }

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public async Task Invalid_upload_ids_are_rejected(string uploadId)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Store.BeginStagingAsync(uploadId, 0, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.OpenStagedAsync(uploadId, [], None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CommitAsync(uploadId, [], 0, Sha256Of([]), None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeletePartsAsync(uploadId, [], None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteStagingAsync(uploadId, None));
    }

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public async Task Invalid_part_ids_are_rejected(string partId)
    {
        var uploadId = NewUploadId();
        var parts = await StageAsync(uploadId, RandomBytes(10));
        IReadOnlyList<string> withInvalid = [.. parts, partId];

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.OpenStagedAsync(uploadId, withInvalid, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.CommitAsync(uploadId, withInvalid, 10, Sha256Of([]), None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeletePartsAsync(uploadId, withInvalid, None));
        Assert.Equal(1, await CountStagedPartsAsync(uploadId));
    }

    [Theory]
    [MemberData(nameof(ForeignLocations))]
    public async Task Locations_this_store_did_not_make_are_rejected(string value)
    {
        var location = new BlobLocation(value);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.OpenReadAsync(location, 0, null, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetLengthAsync(location, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(location, None));
    }
}
