using System.Text;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage.Tests.Contract;

public abstract partial class BlobStoreContractTests
{
    private static byte[] Record(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<string> StartedUploadAsync()
    {
        var uploadId = NewUploadId();
        await StageAsync(uploadId, RandomBytes(10));
        return uploadId;
    }

    [Fact]
    public async Task An_upload_without_a_journal_reads_as_empty()
    {
        var unknown = await Store.ReadJournalAsync(NewUploadId(), None);
        Assert.Empty(unknown.Records);
        Assert.Equal(0, unknown.Length);
        var journal = await Store.ReadJournalAsync(await StartedUploadAsync(), None);
        Assert.Empty(journal.Records);
        Assert.Equal(0, journal.Length);
    }

    [Fact]
    public async Task Journal_records_are_read_back_in_order_and_end_where_the_next_goes()
    {
        var uploadId = await StartedUploadAsync();
        var big = RandomBytes(200_000);

        var first = await Store.AppendJournalAsync(uploadId, 0, Record("first"), None);
        var second = await Store.AppendJournalAsync(uploadId, first, big, None);
        var third = await Store.AppendJournalAsync(uploadId, second, Record("third"), None);

        var journal = await Store.ReadJournalAsync(uploadId, None);
        Assert.Equal(3, journal.Records.Count);
        Assert.Equal(Record("first"), journal.Records[0]);
        Assert.Equal(big, journal.Records[1]);
        Assert.Equal(Record("third"), journal.Records[2]);
        Assert.True(first > 0 && second > first && third > second);
        Assert.Equal(third, journal.Length);
    }

    [Fact]
    public async Task An_append_at_a_stale_position_is_a_conflict_and_changes_nothing()
    {
        var uploadId = await StartedUploadAsync();
        var end = await Store.AppendJournalAsync(uploadId, 0, Record("kept"), None);
        end = await Store.AppendJournalAsync(uploadId, end, Record("kept too"), None);

        await Assert.ThrowsAsync<UploadJournalConflictException>(() => Store.AppendJournalAsync(uploadId, 0, Record("stale"), None));
        await Assert.ThrowsAsync<UploadJournalConflictException>(() => Store.AppendJournalAsync(uploadId, end / 2, Record("stale"), None));

        var journal = await Store.ReadJournalAsync(uploadId, None);
        Assert.Equal([Record("kept"), Record("kept too")], journal.Records);
        Assert.Equal(end, journal.Length);
    }

    [Fact]
    public async Task Racing_appends_at_one_position_leave_one_record_there()
    {
        var uploadId = await StartedUploadAsync();
        var end = await Store.AppendJournalAsync(uploadId, 0, Record("base"), None);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            try
            {
                await Store.AppendJournalAsync(uploadId, end, Record($"racer {i}"), None);
                return true;
            }
            catch (UploadJournalConflictException)
            {
                return false;
            }
        }));

        // The filesystem serializes appends through the upload's attempt lock, which these callers
        // do not hold; whatever interleaving they get, the journal stays intact and linear.
        var journal = await Store.ReadJournalAsync(uploadId, None);
        Assert.Contains(true, attempts);
        Assert.Equal(2, journal.Records.Count);
        Assert.Equal(Record("base"), journal.Records[0]);
        Assert.StartsWith("racer ", Encoding.UTF8.GetString(journal.Records[1]));
    }

    [Fact]
    public async Task Deleting_staging_deletes_the_journal_and_later_appends_find_the_upload_gone()
    {
        var uploadId = await StartedUploadAsync();
        var end = await Store.AppendJournalAsync(uploadId, 0, Record("chunk"), None);

        await Store.DeleteStagingAsync(uploadId, None);

        Assert.Empty((await Store.ReadJournalAsync(uploadId, None)).Records);
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.AppendJournalAsync(uploadId, end, Record("late"), None));
        Assert.DoesNotContain(uploadId, await ListedUploadIdsAsync());
    }

    [Fact]
    public async Task A_committed_upload_with_a_journal_stays_listed_until_its_staging_is_deleted()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(1000);
        var parts = await StageAsync(uploadId, content);
        await Store.AppendJournalAsync(uploadId, 0, Record("chunk"), None);
        await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);

        Assert.Contains(uploadId, await ListedUploadIdsAsync());
        Assert.Single((await Store.ReadJournalAsync(uploadId, None)).Records);

        await Store.DeleteStagingAsync(uploadId, None);

        Assert.DoesNotContain(uploadId, await ListedUploadIdsAsync());
        Assert.Empty((await Store.ReadJournalAsync(uploadId, None)).Records);
    }

    [Fact]
    public async Task Empty_or_oversized_journal_records_are_refused()
    {
        var uploadId = await StartedUploadAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendJournalAsync(uploadId, 0, Array.Empty<byte>(), None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendJournalAsync(uploadId, 0, new byte[4 * 1024 * 1024], None));
        Assert.Empty((await Store.ReadJournalAsync(uploadId, None)).Records);
    }
}
