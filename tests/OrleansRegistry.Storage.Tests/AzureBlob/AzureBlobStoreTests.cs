using OrleansRegistry.Storage.Tests.Contract;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

/// <summary>The shared contract against Azurite, with the default options, in a fresh container per test.</summary>
public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : BlobStoreContractTests, IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly AzuriteContainer container = new(azurite);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => container.DeleteAsync();

    protected override IBlobStore CreateStore() => container.CreateStore();

    protected override Task<int> CountStagedPartsAsync(string uploadId) => container.CountStagedPartsAsync(uploadId);
}
