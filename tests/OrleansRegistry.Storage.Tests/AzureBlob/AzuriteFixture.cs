using Azure.Core;
using Azure.Storage.Blobs;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

/// <summary>
/// The Azurite blob service the Azure tests run against. It is not started here: the test script
/// installs and starts it and exports <c>AZURITE_BLOB_ENDPOINT</c> (default
/// <c>http://127.0.0.1:10000/devstoreaccount1</c>). When it cannot be reached, every test using this
/// fixture fails with a message saying so; none is skipped.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string EndpointVariable = "AZURITE_BLOB_ENDPOINT";
    public const string DefaultEndpoint = "http://127.0.0.1:10000/devstoreaccount1";
    public const string AccountName = "devstoreaccount1";

    /// <summary>The documented, public key of Azurite's development account.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public AzuriteFixture()
    {
        var configured = Environment.GetEnvironmentVariable(EndpointVariable);
        Endpoint = string.IsNullOrWhiteSpace(configured) ? DefaultEndpoint : configured.Trim().TrimEnd('/');
        ConnectionString = ConnectionStringFor(Endpoint, AccountKey);
        Service = new BlobServiceClient(ConnectionString);
    }

    public string Endpoint { get; }

    public string ConnectionString { get; }

    public BlobServiceClient Service { get; }

    public static string ConnectionStringFor(string endpoint, string accountKey) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={accountKey};BlobEndpoint={endpoint};";

    /// <summary>A container name no other test uses (3 to 63 lower-case letters, digits and dashes).</summary>
    public static string NewContainerName() => "test-" + Guid.NewGuid().ToString("N");

    public async Task InitializeAsync()
    {
        // One quick try, no retries: an absent Azurite should fail fast, not after minutes of backoff.
        var options = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } };
        try
        {
            await new BlobServiceClient(ConnectionString, options).GetPropertiesAsync();
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException(
                $"Azurite is not reachable or refused the request at {Endpoint} ({exception.GetType().Name}: {exception.Message.Split('\n')[0].Trim()}). "
                + $"Start it (e.g. azurite-blob --blobHost 127.0.0.1 --blobPort 10000 --location <dir> --skipApiVersionCheck --loose) "
                + $"and set {EndpointVariable} when it listens elsewhere; the Azure blob store tests need it.",
                exception);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Client options that give up at once, for tests of failures.</summary>
    public static BlobClientOptions NoRetries() =>
        new() { Retry = { MaxRetries = 0, Mode = RetryMode.Fixed, NetworkTimeout = TimeSpan.FromSeconds(5) } };
}
