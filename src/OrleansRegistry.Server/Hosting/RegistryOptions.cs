using OrleansRegistry.Hosting.Transport;

namespace OrleansRegistry.Server.Hosting;

/// <summary>The <c>Registry</c> configuration section. Every key is listed in docs/configuration.md.</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>Root of everything the embedded mode stores: blobs, uploads, grain state. Default <c>./data</c>.</summary>
    public string DataPath { get; set; } = "./data";

    /// <summary>Whether manifests, tags and blobs may be deleted. Default true; when false, DELETE answers 405.</summary>
    public bool DeleteEnabled { get; set; } = true;

    /// <summary>Largest manifest accepted, in bytes. Default 4 MiB (the spec asks for at least 4 MB); larger gets 413.</summary>
    public long MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest blob accepted, in bytes; null means no limit. Default null.</summary>
    public long? MaxBlobBytes { get; set; }

    /// <summary>
    /// Whether every child manifest of an index must already be in the repository (MANIFEST_BLOB_UNKNOWN
    /// otherwise). Default true; turn off to accept sparse indexes (a subset of platforms copied).
    /// </summary>
    public bool RequireIndexChildren { get; set; } = true;

    /// <summary>An upload session idle this long is expired and its staged bytes removed. Default 24 hours (Azure drops uncommitted blocks after 7 days).</summary>
    public TimeSpan UploadIdleTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired uploads are looked for. Default 10 minutes.</summary>
    public TimeSpan UploadSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Size of the blocks Kestrel receives into and sends from. Default 64 KiB (Kestrel's own pool has
    /// 4 KiB blocks: 16 times the read calls for a blob upload); 0 keeps Kestrel's pool.
    /// </summary>
    public int TransportBlockBytes { get; set; } = LargeBlockMemoryPool.DefaultBlockSize;

    /// <summary>Orleans endpoints of this silo.</summary>
    public SiloEndpointOptions Silo { get; set; } = new();

    /// <summary>
    /// Networks (CIDR) whose <c>X-Forwarded-For/Proto/Host</c> are trusted: the edge's. Default loopback
    /// only; in Kubernetes, the pod network of the edge.
    /// </summary>
    /// <remarks>Empty means the default; configuration binding appends to a non-empty array default.</remarks>
    public string[] TrustedProxyNetworks { get; set; } = [];

    /// <summary><see cref="TrustedProxyNetworks"/>, or loopback when none is configured.</summary>
    public IReadOnlyList<string> EffectiveTrustedProxyNetworks =>
        TrustedProxyNetworks.Length > 0 ? TrustedProxyNetworks : ["127.0.0.0/8", "::1/128"];

    /// <summary>Which clustering and storage providers run.</summary>
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>The pull path's caches (<c>Registry:Cache</c>).</summary>
    public CacheOptions Cache { get; set; } = new();
}

/// <summary>The <c>Registry:Cache</c> section.</summary>
public sealed class CacheOptions
{
    /// <summary>
    /// Bytes of manifests each silo keeps in memory, keyed by (repository, digest), least recently used
    /// out first. Default 64 MiB; 0 turns the cache off. Existence is always asked of the repository grain.
    /// </summary>
    public long ManifestBytes { get; set; } = 64 * 1024 * 1024;
}

public sealed class SiloEndpointOptions
{
    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id. Default <c>orleans-registry</c>.</summary>
    public string ClusterId { get; set; } = "orleans-registry";

    /// <summary>Orleans service id; grain state is keyed by it, so keep it stable. Default <c>orleans-registry</c>.</summary>
    public string ServiceId { get; set; } = "orleans-registry";

    /// <summary>
    /// The IP address other silos reach this one at (a Kubernetes pod IP). Default: loopback with
    /// localhost clustering, otherwise the first address of this host.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// The HTTP base URL the edge uses to reach this silo, published through the cluster. Default:
    /// Kestrel's first address with the advertised address as host.
    /// </summary>
    public Uri? PublicUrl { get; set; }
}
