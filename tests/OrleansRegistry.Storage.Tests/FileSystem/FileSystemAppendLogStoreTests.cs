using OrleansRegistry.Storage.FileSystem;
using OrleansRegistry.Storage.Tests.Contract;

namespace OrleansRegistry.Storage.Tests.FileSystem;

/// <summary>The shared append-log contract over a fresh directory per test.</summary>
public sealed class FileSystemAppendLogStoreTests : AppendLogStoreContractTests, IDisposable
{
    private readonly TempDirectory directory = new();

    protected override IAppendLogStore CreateStore() => new FileSystemAppendLogStore(directory.Path);

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task A_log_is_a_file_under_the_root()
    {
        await Store.AppendAsync("audit/one.jsonl", "a\n"u8.ToArray(), CancellationToken.None);

        Assert.Equal("a\n", await File.ReadAllTextAsync(Path.Combine(directory.Path, "audit", "one.jsonl")));
    }
}
