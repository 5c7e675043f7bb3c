using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// How the Azure SDK retries a failed request (a transport failure, 408, 429, 500, 502, 503, 504),
/// for blob bytes and grain state alike. The defaults are the SDK's own. With them a request to an
/// account that cannot be reached gives up after its tries and waits (seconds), and the registry then
/// answers 503 with <c>Retry-After</c>; fewer retries hand that decision to the client sooner.
/// </summary>
public sealed class AzureRetryOptions
{
    /// <summary>Retries after the first try. Default 3 (the SDK's); 0 to 20.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Wait before the first retry, doubled for each further one (with jitter). Default 0.8 s (the SDK's).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(0.8);

    /// <summary>Longest wait between two tries. Default 1 minute (the SDK's).</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long one try may wait for the service, and for each read of a response body. Default
    /// 100 s (the SDK's): a staged block of <see cref="AzureBlobStoreOptions.BlockSize"/> has to get
    /// through in that time.
    /// </summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(100);

    private const int RetriesLimit = 20;

    /// <summary>What is wrong with these settings, or null when they can work.</summary>
    public string? Problem() => this switch
    {
        { MaxRetries: < 0 or > RetriesLimit } => $"MaxRetries must be 0 to {RetriesLimit}",
        _ when Delay <= TimeSpan.Zero || MaxDelay < Delay => "Delay must be more than 0 and MaxDelay at least Delay",
        _ when NetworkTimeout <= TimeSpan.Zero => "NetworkTimeout must be more than 0",
        _ => null,
    };

    /// <summary>
    /// A client of the blob service: by connection string when there is one, otherwise of
    /// <paramref name="serviceUri"/> signed in with <see cref="DefaultAzureCredential"/>.
    /// </summary>
    public BlobServiceClient CreateServiceClient(string? connectionString, Uri? serviceUri)
    {
        var options = new BlobClientOptions
        {
            Retry =
            {
                Mode = RetryMode.Exponential,
                MaxRetries = MaxRetries,
                Delay = Delay,
                MaxDelay = MaxDelay,
                NetworkTimeout = NetworkTimeout,
            },
        };
        return connectionString is { Length: > 0 }
            ? new BlobServiceClient(connectionString, options)
            : new BlobServiceClient(serviceUri ?? throw new ArgumentException("a connection string or a service URI is needed"), new DefaultAzureCredential(), options);
    }
}
