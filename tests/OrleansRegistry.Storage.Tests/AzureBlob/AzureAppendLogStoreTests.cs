using OrleansRegistry.Storage.AzureBlob;
using OrleansRegistry.Storage.Tests.Contract;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

/// <summary>The shared append-log contract against Azurite, in a fresh container per test (created by the first append).</summary>
public sealed class AzureAppendLogStoreTests(AzuriteFixture azurite) : AppendLogStoreContractTests, IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly AzuriteContainer container = new(azurite);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => container.DeleteAsync();

    protected override IAppendLogStore CreateStore() => new AzureAppendLogStore(container.Client);

    [Fact]
    public async Task A_log_is_an_append_blob_under_logs()
    {
        await Store.AppendAsync("audit/one.jsonl", "a\n"u8.ToArray(), CancellationToken.None);

        var properties = await container.Client.GetBlobClient("logs/audit/one.jsonl").GetPropertiesAsync();
        Assert.Equal(Azure.Storage.Blobs.Models.BlobType.Append, properties.Value.BlobType);
    }
}
