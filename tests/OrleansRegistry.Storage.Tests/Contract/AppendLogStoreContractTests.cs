using System.Text;

namespace OrleansRegistry.Storage.Tests.Contract;

/// <summary>What every <see cref="IAppendLogStore"/> provider must do, over fresh, empty storage per test.</summary>
public abstract class AppendLogStoreContractTests
{
    private IAppendLogStore? store;

    protected IAppendLogStore Store => store ??= CreateStore();

    /// <summary>A store over storage that no other test uses.</summary>
    protected abstract IAppendLogStore CreateStore();

    private static CancellationToken None => CancellationToken.None;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private async Task<string> ReadAsync(string name)
    {
        await using var stream = await Store.OpenReadAsync(name, None);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private async Task<List<AppendLogInfo>> ListAsync(string prefix) => await Store.ListAsync(prefix, None).ToListAsync();

    [Fact]
    public async Task Appends_are_read_back_in_order()
    {
        await Store.AppendAsync("audit/one.jsonl", Bytes("a\n"), None);
        await Store.AppendAsync("audit/one.jsonl", Bytes("b\nc\n"), None);

        Assert.Equal("a\nb\nc\n", await ReadAsync("audit/one.jsonl"));
    }

    [Fact]
    public async Task Logs_are_listed_by_prefix_with_their_length_and_last_append()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Store.AppendAsync("audit/one.jsonl", Bytes("12345\n"), None);
        await Store.AppendAsync("audit/two.jsonl", Bytes("1\n"), None);
        await Store.AppendAsync("other/three.jsonl", Bytes("1\n"), None);

        var audit = (await ListAsync("audit/")).OrderBy(l => l.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(["audit/one.jsonl", "audit/two.jsonl"], audit.Select(l => l.Name));
        Assert.Equal(6, audit[0].Length);
        Assert.All(audit, l => Assert.InRange(l.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.Equal(3, (await ListAsync("")).Count);
    }

    [Fact]
    public async Task Nothing_is_listed_before_anything_was_written()
    {
        Assert.Empty(await ListAsync("audit/"));
    }

    [Fact]
    public async Task A_deleted_log_is_gone_and_deleting_it_again_is_harmless()
    {
        await Store.AppendAsync("audit/one.jsonl", Bytes("a\n"), None);

        await Store.DeleteAsync("audit/one.jsonl", None);
        await Store.DeleteAsync("audit/one.jsonl", None);

        Assert.Empty(await ListAsync("audit/"));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync("audit/one.jsonl", None));
    }

    [Fact]
    public async Task A_log_deleted_while_being_written_begins_again()
    {
        await Store.AppendAsync("audit/one.jsonl", Bytes("a\n"), None);
        await Store.DeleteAsync("audit/one.jsonl", None);

        await Store.AppendAsync("audit/one.jsonl", Bytes("b\n"), None);

        Assert.Equal("b\n", await ReadAsync("audit/one.jsonl"));
    }

    [Fact]
    public async Task An_append_of_the_largest_size_is_kept_whole()
    {
        var big = new byte[AppendLogNames.MaxAppendBytes];
        Array.Fill(big, (byte)'x');

        await Store.AppendAsync("audit/big.jsonl", big, None);

        Assert.Equal(big.Length, (await ListAsync("audit/")).Single().Length);
    }

    [Fact]
    public async Task Empty_or_oversized_appends_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.AppendAsync("audit/one.jsonl", Array.Empty<byte>(), None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.AppendAsync("audit/one.jsonl", new byte[AppendLogNames.MaxAppendBytes + 1], None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../escape")]
    [InlineData("audit/../../escape")]
    [InlineData("audit//double")]
    [InlineData("/absolute")]
    [InlineData("audit/.hidden")]
    [InlineData("audit/sp ace")]
    [InlineData("audit\\back")]
    public async Task Names_outside_the_rules_are_refused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync(name, Bytes("a\n"), None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(name, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(name, None));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("audit/../")]
    [InlineData("/")]
    [InlineData(".hid")]
    public async Task Prefixes_outside_the_rules_are_refused(string prefix)
    {
        await Store.AppendAsync("audit/one.jsonl", Bytes("a\n"), None);

        await Assert.ThrowsAsync<ArgumentException>(() => ListAsync(prefix));
    }

    [Fact]
    public async Task A_prefix_may_end_inside_a_name()
    {
        await Store.AppendAsync("audit/2026-a.jsonl", Bytes("a\n"), None);
        await Store.AppendAsync("audit/2027-b.jsonl", Bytes("a\n"), None);

        Assert.Equal(["audit/2026-a.jsonl"], (await ListAsync("audit/2026")).Select(l => l.Name));
    }
}
