using OrleansRegistry.Storage.AzureBlob;

namespace OrleansRegistry.Server.Hosting;

/// <summary>
/// The <c>Registry:Cluster</c> section: which providers run. The defaults are the embedded mode
/// (one process, no services); cluster mode is configuration only.
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>How silos find each other. Default <see cref="ClusteringProvider.Localhost"/>.</summary>
    public ClusteringProvider Clustering { get; set; } = ClusteringProvider.Localhost;

    /// <summary>Where blob bytes live. Default <see cref="BlobStorageProvider.FileSystem"/> (under <c>DataPath/storage</c>).</summary>
    public BlobStorageProvider BlobStorage { get; set; } = BlobStorageProvider.FileSystem;

    /// <summary>Where grain state lives. Default <see cref="GrainStorageProvider.Files"/> (under <c>DataPath/grains</c>).</summary>
    public GrainStorageProvider GrainStorage { get; set; } = GrainStorageProvider.Files;

    /// <summary>
    /// How long a request without a body (a GET or HEAD, the final PUT of an upload; not a DELETE)
    /// whose grain call met a silo that just died keeps being run again before it is answered 503
    /// (<see cref="Cluster.TransientRetryMiddleware"/>). Default 10 s: a killed silo is declared dead,
    /// and its grains move, within a few seconds with the membership settings of cluster mode.
    /// Zero turns it off.
    /// </summary>
    public TimeSpan TransientRetryWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Azure Blob Storage settings for the AzureBlob providers.</summary>
    public AzureStorageOptions Azure { get; set; } = new();

    /// <summary>True when several silo processes may run: anything but localhost clustering.</summary>
    public bool IsMultiProcess => Clustering != ClusteringProvider.Localhost;
}

public enum ClusteringProvider
{
    /// <summary>Orleans localhost clustering: one silo, no services.</summary>
    Localhost,

    /// <summary>Membership in Redis (<c>ConnectionStrings:Redis</c>).</summary>
    Redis,
}

public enum BlobStorageProvider
{
    FileSystem,
    AzureBlob,
}

public enum GrainStorageProvider
{
    Files,
    AzureBlob,
}

/// <summary>
/// Azure Blob Storage. Authenticates with <c>ConnectionStrings:AzureBlob</c> when it is set, otherwise
/// with <see cref="ServiceUri"/> and <c>DefaultAzureCredential</c> (managed identity in Kubernetes).
/// </summary>
public sealed class AzureStorageOptions
{
    /// <summary>Blob service URI, used with DefaultAzureCredential when no connection string is set.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>Container of blob bytes and manifests. Default <c>registry</c>.</summary>
    public string BlobContainer { get; set; } = "registry";

    /// <summary>Container of grain state. Default <c>grainstate</c>.</summary>
    public string GrainContainer { get; set; } = "grainstate";

    /// <summary>307 redirects of blob GETs to short-lived read SAS URLs.</summary>
    public BlobRedirectOptions Redirect { get; set; } = new();

    /// <summary>How the SDK retries failed requests, for blob bytes and grain state. Default: the SDK's own settings.</summary>
    public AzureRetryOptions Retry { get; set; } = new();
}

/// <summary>
/// The <c>Registry:Cluster:Azure:Redirect</c> section: a blob GET answered with a 307 to a read-only
/// SAS URL of the blob, so the bytes go from Azure straight to the client. Needs a credential that
/// can sign (an account key, or DefaultAzureCredential with user delegation); otherwise blobs stream.
/// </summary>
public sealed class BlobRedirectOptions
{
    /// <summary>Whether blob GETs are redirected. Default false (every byte streams through the silo).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// How long a redirect URL stays valid after it is handed out. Default 5 minutes: enough to start
    /// the download (Azure checks the expiry when a request starts, so a long download finishes),
    /// short enough that a leaked URL is soon useless. At most 1 day.
    /// </summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether GETs with a <c>Range</c> header are redirected too (single ranges <c>bytes=a-b</c> or
    /// <c>bytes=a-</c>; suffix, multiple and unsatisfiable ranges are always answered by the silo).
    /// Default false.
    /// </summary>
    public bool RedirectRanges { get; set; }

    /// <summary>How far back the URL's start time is set, for storage clocks ahead of the silo's. Default 5 minutes, at most 1 hour.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}
