using System.Net;
using System.Net.Sockets;
using OrleansRegistry.Storage.AzureBlob;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

public sealed class AzureRetryOptionsTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task A_failing_service_is_tried_once_and_then_as_often_as_configured(int retries)
    {
        using var service = new FailingBlobService();
        var store = AzureBlobStore.Create(new AzureBlobStoreOptions
        {
            ConnectionString = AzuriteFixture.ConnectionStringFor(service.Endpoint, AzuriteFixture.AccountKey),
            Retry = { MaxRetries = retries, Delay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(20) },
        });

        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.GetLengthAsync(new BlobLocation("uploads/x"), None));

        Assert.Equal(retries + 1, service.Requests);
    }

    [Fact]
    public void The_defaults_are_the_sdks_and_can_work()
    {
        var defaults = new AzureRetryOptions();

        Assert.Null(defaults.Problem());
        Assert.Equal(3, defaults.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(0.8), defaults.Delay);
        Assert.Equal(TimeSpan.FromSeconds(100), defaults.NetworkTimeout);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_when_the_store_is_created()
    {
        static void Create(Action<AzureRetryOptions> change)
        {
            var options = new AzureBlobStoreOptions { ConnectionString = AzuriteFixture.ConnectionStringFor(AzuriteFixture.DefaultEndpoint, AzuriteFixture.AccountKey) };
            change(options.Retry);
            AzureBlobStore.Create(options);
        }

        Assert.Contains("MaxRetries", Assert.Throws<ArgumentException>(() => Create(r => r.MaxRetries = -1)).Message);
        Assert.Contains("Delay", Assert.Throws<ArgumentException>(() => Create(r => r.Delay = TimeSpan.Zero)).Message);
        Assert.Contains("MaxDelay", Assert.Throws<ArgumentException>(() => Create(r => r.MaxDelay = TimeSpan.FromMilliseconds(1))).Message);
        Assert.Contains("NetworkTimeout", Assert.Throws<ArgumentException>(() => Create(r => r.NetworkTimeout = TimeSpan.Zero)).Message);
    }

    /// <summary>A blob service on a loopback port that answers every request 503, counting them.</summary>
    private sealed class FailingBlobService : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _requests;

        public FailingBlobService()
        {
            var port = FreePort();
            Endpoint = $"http://127.0.0.1:{port}/devstoreaccount1";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = AnswerAsync();
        }

        public string Endpoint { get; }

        public int Requests => Volatile.Read(ref _requests);

        public void Dispose() => _listener.Close();

        private async Task AnswerAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                context.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
                context.Response.Close();
            }
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
    }
}
