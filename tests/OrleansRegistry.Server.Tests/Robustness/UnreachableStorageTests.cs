using System.Net;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Robustness;

/// <summary>
/// Blob storage on Azure that cannot be reached (the real SDK, against a loopback port nobody
/// listens on): the client is told to retry (503, Retry-After, UNAVAILABLE), not handed a 500.
/// </summary>
public sealed class UnreachableStorageTests : IAsyncLifetime
{
    private readonly RegistryServer _server = RegistryServer.With(new()
    {
        ["Registry:Cluster:BlobStorage"] = "AzureBlob",
        ["ConnectionStrings:AzureBlob"] = AzuriteSettings.ConnectionString.Replace(AzuriteSettings.Endpoint, $"http://127.0.0.1:{FreePort.Next()}/devstoreaccount1", StringComparison.Ordinal),
        ["Registry:Cluster:Azure:BlobContainer"] = "unreachable",

        // One retry, soon: the answer is the same as after the SDK's default retries (~30 s), only sooner.
        ["Registry:Cluster:Azure:Retry:MaxRetries"] = "1",
        ["Registry:Cluster:Azure:Retry:Delay"] = "00:00:00.050",
    });

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_push_while_storage_is_unreachable_is_503_with_retry_after()
    {
        using var client = _server.CreateClient();
        var data = OciClient.RandomBytes(100);

        using var response = await client.PostAsync(
            $"/v2/{OciClient.Unique("down")}/blobs/uploads/?digest={OciClient.Sha256(data)}", new ByteArrayContent(data));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal("UNAVAILABLE", await response.ErrorCodeAsync());
    }
}
