using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using OrleansRegistry.Storage.AzureBlob;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

/// <summary>
/// A container of one test: named afresh (the store creates it on first use) and deleted with
/// everything in it afterwards. Also looks at the blobs from outside the store.
/// </summary>
internal sealed class AzuriteContainer(AzuriteFixture azurite)
{
    public BlobContainerClient Client { get; } = azurite.Service.GetBlobContainerClient(AzuriteFixture.NewContainerName());

    public AzureBlobStore CreateStore(AzureBlobStoreOptions? options = null) =>
        new(Client, options ?? new AzureBlobStoreOptions { ConnectionString = azurite.ConnectionString });

    public Task DeleteAsync() => Client.DeleteIfExistsAsync();

    public BlockBlobClient UploadBlob(string uploadId) => Client.GetBlockBlobClient("uploads/" + uploadId);

    /// <summary>The blob's committed and uncommitted blocks; empty lists when it does not exist.</summary>
    public async Task<(BlobBlock[] Committed, BlobBlock[] Uncommitted)> BlocksAsync(string uploadId)
    {
        try
        {
            var list = (await UploadBlob(uploadId).GetBlockListAsync(BlockListTypes.All)).Value;
            return ([.. list.CommittedBlocks ?? []], [.. list.UncommittedBlocks ?? []]);
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            return ([], []);
        }
    }

    /// <summary>The blob's metadata, or null when it has no committed form.</summary>
    public async Task<IDictionary<string, string>?> MetadataAsync(string uploadId)
    {
        try
        {
            return (await UploadBlob(uploadId).GetPropertiesAsync()).Value.Metadata;
        }
        catch (Azure.RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Staged parts as the provider sees them: uncommitted blocks, plus the committed blocks of a blob
    /// that is not yet content (reading staged parts commits them without making them content).
    /// </summary>
    public async Task<int> CountStagedPartsAsync(string uploadId)
    {
        var (committed, uncommitted) = await BlocksAsync(uploadId);
        var metadata = await MetadataAsync(uploadId);
        var isContent = metadata is not null && metadata.TryGetValue("committed", out var flag) && flag == "true";
        return uncommitted.Length + (isContent ? 0 : committed.Length);
    }
}
