namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// Settings of <see cref="AzureBlobStore"/>. Give either <see cref="ConnectionString"/> (a storage
/// account key or SAS, or the Azurite development account) or <see cref="ServiceUri"/>, which
/// signs in with <c>DefaultAzureCredential</c> (managed identity, workload identity, Azure CLI…).
/// </summary>
public sealed class AzureBlobStoreOptions
{
    /// <summary>One block of a block blob: the largest size Azure accepts is 4000 MiB.</summary>
    public const int MaxBlockSize = 1024 * 1024 * 1024;

    /// <summary>Azure's cap on the committed blocks of one block blob.</summary>
    public const int MaxBlocksPerBlob = 50_000;

    /// <summary>A storage connection string. Exclusive with <see cref="ServiceUri"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The blob service endpoint, e.g. <c>https://&lt;account&gt;.blob.core.windows.net</c>, used with
    /// <c>DefaultAzureCredential</c>. Exclusive with <see cref="ConnectionString"/>. The identity needs
    /// the "Storage Blob Data Contributor" role on the container (or account).
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The container holding <c>uploads/</c> and <c>blobs/</c>; created on first use when missing.</summary>
    public string ContainerName { get; set; } = "registry";

    /// <summary>
    /// Size of the blocks an upload's bytes are cut into, in bytes. Default 8 MiB: a block blob
    /// holds at most 50,000 committed blocks, so the block size caps the blob size
    /// (8 MiB × 50,000 = 390 GiB, far beyond any layer), and fewer, larger blocks mean fewer
    /// requests (each has a fixed cost, and is billed). Larger blocks cost memory: each writer
    /// holds up to <see cref="MaxConcurrentStages"/> + 1 blocks at once (24 MiB by default).
    /// At most 1 GiB (pooled arrays; Azure itself allows 4000 MiB).
    /// </summary>
    public int BlockSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// How many blocks one staging writer uploads at the same time while it keeps filling the
    /// next block from the request body. Default 2: the body is read while the previous block is
    /// on the wire, without letting one upload take many connections.
    /// </summary>
    public int MaxConcurrentStages { get; set; } = 2;

    /// <summary>
    /// How far back the start time of a read SAS URL (<see cref="IBlobRedirects"/>) is set, so that a
    /// storage service whose clock is ahead of this host's accepts the URL at once. Default 5 minutes.
    /// </summary>
    public TimeSpan SasClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How the SDK retries failed requests. Default: the SDK's own settings.</summary>
    public AzureRetryOptions Retry { get; set; } = new();

    /// <summary>Longest <see cref="SasClockSkew"/> accepted.</summary>
    public static readonly TimeSpan MaxSasClockSkew = TimeSpan.FromHours(1);

    /// <summary>Longest lifetime of a read SAS URL accepted: they are meant to be short-lived.</summary>
    public static readonly TimeSpan MaxSasLifetime = TimeSpan.FromDays(1);

    /// <summary>Largest content one upload can commit with this block size.</summary>
    public long MaxBlobLength => (long)BlockSize * MaxBlocksPerBlob;

    internal void Validate()
    {
        if (ConnectionString is null == (ServiceUri is null))
        {
            throw new ArgumentException("exactly one of ConnectionString and ServiceUri must be set");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(ContainerName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BlockSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BlockSize, MaxBlockSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxConcurrentStages);
        ValidateSasClockSkew(SasClockSkew);
        if (Retry.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(Retry));
        }
    }

    internal static void ValidateSasClockSkew(TimeSpan skew)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(skew, TimeSpan.Zero, nameof(SasClockSkew));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(skew, MaxSasClockSkew, nameof(SasClockSkew));
    }
}
