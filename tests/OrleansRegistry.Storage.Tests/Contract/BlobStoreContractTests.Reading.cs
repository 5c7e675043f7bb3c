namespace OrleansRegistry.Storage.Tests.Contract;

public abstract partial class BlobStoreContractTests
{
    [Theory]
    [InlineData(0, 10_000)]
    [InlineData(0, 1)]
    [InlineData(1234, 5000)]
    [InlineData(9_999, 1)]
    public async Task Reading_a_range_returns_exactly_those_bytes(int offset, int length)
    {
        var content = RandomBytes(10_000);
        var location = await StoreAsync(content);

        var read = await ReadStoredAsync(location, offset, length);

        AssertSameBytes(content.AsSpan(offset, length).ToArray(), read);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4321)]
    [InlineData(9_999)]
    public async Task Reading_from_an_offset_without_length_reads_to_the_end(int offset)
    {
        var content = RandomBytes(10_000);
        var location = await StoreAsync(content);

        var read = await ReadStoredAsync(location, offset);

        AssertSameBytes(content[offset..], read);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5000)]
    [InlineData(10_000)]
    public async Task Reading_zero_bytes_returns_an_empty_stream(int offset)
    {
        var location = await StoreAsync(RandomBytes(10_000));

        Assert.Empty(await ReadStoredAsync(location, offset, 0));
    }

    [Fact]
    public async Task Reading_from_the_end_without_length_returns_an_empty_stream()
    {
        var location = await StoreAsync(RandomBytes(100));

        Assert.Empty(await ReadStoredAsync(location, 100));
    }

    [Theory]
    [InlineData(101, null)]
    [InlineData(50, 51)]
    [InlineData(0, 101)]
    [InlineData(-1, null)]
    public async Task Reading_past_the_end_throws(int offset, int? length)
    {
        var location = await StoreAsync(RandomBytes(100));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.OpenReadAsync(location, offset, length, None));
    }

    [Fact]
    public async Task Reading_content_that_is_not_stored_throws_BlobNotFound()
    {
        var location = await DeletedLocationAsync();

        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(location, 0, null, None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(location, 0, 5, None));
    }

    [Fact]
    public async Task Length_of_content_that_is_not_stored_is_null()
    {
        var location = await DeletedLocationAsync();

        Assert.Null(await Store.GetLengthAsync(location, None));
    }
}
