using OrleansRegistry.Storage.FileSystem;
using OrleansRegistry.Storage.Tests.Contract;

namespace OrleansRegistry.Storage.Tests.FileSystem;

/// <summary>The shared contract, run against a fresh root directory per test.</summary>
public sealed partial class FileSystemBlobStoreTests : BlobStoreContractTests, IDisposable
{
    private readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    protected override IBlobStore CreateStore() => CreateStore(TimeSpan.FromSeconds(30));

    private FileSystemBlobStore CreateStore(TimeSpan commitWaitTimeout) =>
        new(new FileSystemBlobStoreOptions { RootPath = root.Path, CommitWaitTimeout = commitWaitTimeout });

    protected override Task<int> CountStagedPartsAsync(string uploadId)
    {
        var uploadPath = Path.Combine(root.Path, "uploads", uploadId);
        return Task.FromResult(Directory.Exists(uploadPath) ? Directory.GetFiles(uploadPath).Length : 0);
    }

    private string DataPathOf(string uploadId) => Path.Combine(root.Path, "uploads", uploadId, "data");

    private string PathOf(BlobLocation location) => Path.Combine(root.Path, location.Value);

    private string[] FilesUnder(string folder) =>
        Directory.GetFiles(Path.Combine(root.Path, folder), "*", SearchOption.AllDirectories);
}
