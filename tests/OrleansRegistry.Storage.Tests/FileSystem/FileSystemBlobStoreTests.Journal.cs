using System.Text;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage.Tests.FileSystem;

public sealed partial class FileSystemBlobStoreTests
{
    private string JournalPathOf(string uploadId) => Path.Combine(root.Path, "uploads", uploadId, "journal");

    private async Task<(string UploadId, long End)> JournalWithOneRecordAsync()
    {
        var uploadId = NewUploadId();
        await StageAsync(uploadId, RandomBytes(10));
        var end = await Store.AppendJournalAsync(uploadId, 0, Encoding.UTF8.GetBytes("acknowledged"), None);
        return (uploadId, end);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(20)]
    public async Task A_torn_record_left_by_a_crash_is_not_read_and_the_next_append_replaces_it(int tornBytes)
    {
        var (uploadId, end) = await JournalWithOneRecordAsync();
        var next = Encoding.UTF8.GetBytes("a longer record that was being appended when the process died");
        var framed = JournalFraming.Frame(next);
        await using (var journal = new FileStream(JournalPathOf(uploadId), FileMode.Append))
        {
            journal.Write(framed, 0, tornBytes);
        }

        var read = await Store.ReadJournalAsync(uploadId, None);
        Assert.Single(read.Records);
        Assert.Equal(end, read.Length);

        var replaced = await Store.AppendJournalAsync(uploadId, read.Length, Encoding.UTF8.GetBytes("retried"), None);

        var after = await Store.ReadJournalAsync(uploadId, None);
        Assert.Equal(["acknowledged", "retried"], after.Records.Select(r => Encoding.UTF8.GetString(r)));
        Assert.Equal(replaced, after.Length);
        Assert.Equal(replaced, new FileInfo(JournalPathOf(uploadId)).Length);
    }

    [Fact]
    public async Task A_record_whose_checksum_fails_ends_the_journal()
    {
        var (uploadId, end) = await JournalWithOneRecordAsync();
        await Store.AppendJournalAsync(uploadId, end, Encoding.UTF8.GetBytes("second"), None);
        var bytes = await File.ReadAllBytesAsync(JournalPathOf(uploadId));
        bytes[^2] ^= 0xFF;
        await File.WriteAllBytesAsync(JournalPathOf(uploadId), bytes);

        var read = await Store.ReadJournalAsync(uploadId, None);

        Assert.Equal(["acknowledged"], read.Records.Select(r => Encoding.UTF8.GetString(r)));
        Assert.Equal(end, read.Length);
    }

    [Fact]
    public async Task A_journal_is_read_by_a_second_store_over_the_same_root()
    {
        // Silos sharing the filesystem provider: one appends, any other reads.
        var (uploadId, end) = await JournalWithOneRecordAsync();

        var other = CreateStore(TimeSpan.FromSeconds(30));
        var read = await other.ReadJournalAsync(uploadId, None);

        Assert.Equal(end, read.Length);
        Assert.Equal("acknowledged", Encoding.UTF8.GetString(Assert.Single(read.Records)));
    }
}
