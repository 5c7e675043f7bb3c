using Azure.Storage.Blobs;

namespace OrleansRegistry.Server.Tests.Infrastructure;

/// <summary>
/// The Azurite blob service the Azure-backed server tests use: the test script starts it and exports
/// <c>AZURITE_BLOB_ENDPOINT</c> (default <c>http://127.0.0.1:10000/devstoreaccount1</c>). Each server
/// gets a container of its own, deleted by <see cref="DeleteContainerAsync"/>.
/// </summary>
public static class AzuriteSettings
{
    public const string EndpointVariable = "AZURITE_BLOB_ENDPOINT";

    /// <summary>The documented, public key of Azurite's development account.</summary>
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static string Endpoint
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(EndpointVariable);
            return string.IsNullOrWhiteSpace(configured) ? "http://127.0.0.1:10000/devstoreaccount1" : configured.Trim().TrimEnd('/');
        }
    }

    public static string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint={Endpoint};";

    /// <summary>Settings of a server keeping blobs in a new container of Azurite (grain state stays in files).</summary>
    public static Dictionary<string, string> BlobStorage(out string container)
    {
        container = "test-" + Guid.NewGuid().ToString("N");
        return new Dictionary<string, string>
        {
            ["Registry:Cluster:BlobStorage"] = "AzureBlob",
            ["ConnectionStrings:AzureBlob"] = ConnectionString,
            ["Registry:Cluster:Azure:BlobContainer"] = container,
        };
    }

    public static Task DeleteContainerAsync(string container) =>
        new BlobServiceClient(ConnectionString).GetBlobContainerClient(container).DeleteIfExistsAsync();
}
