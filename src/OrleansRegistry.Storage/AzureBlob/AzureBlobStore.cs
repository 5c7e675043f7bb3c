using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// Keeps blobs in one Azure Storage container (see <see cref="AzureBlobNames"/> for the names).
/// An upload stages its bytes as uncommitted blocks of the block blob <c>uploads/&lt;uploadId&gt;</c>
/// (one block id per block, unique to its attempt: those block ids are the parts); the commit turns
/// that same blob into the content with one CommitBlockList, so no byte is copied again. The
/// committed blob carries the metadata <c>committed=true</c> and <c>digest=&lt;digest&gt;</c>: only
/// such a blob is content, and cleanup of staging never touches it.
/// There is no dedup by digest here: two uploads of the same bytes are two blobs, and the
/// BlobGrain keeps the first and has the caller delete the other (<see cref="DeleteAsync"/>).
/// Manifests are put in one request as <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>.
/// Read SAS URLs (<see cref="IBlobRedirects"/>) are signed with the account key when the client has
/// one, or with a user delegation key when it signs in with a token credential.
/// </summary>
public sealed partial class AzureBlobStore : IBlobStore, IBlobRedirects
{
    private const string CommittedKey = "committed";
    private const string CommittedValue = "true";
    private const string DigestKey = "digest";
    private const string OctetStream = "application/octet-stream";
    private const int ConditionRetries = 3;

    private readonly BlobContainerClient container;
    private readonly AzureBlobStoreOptions options;
    private readonly SemaphoreSlim containerLock = new(1, 1);
    private readonly TimeProvider clock;
    private readonly UserDelegationKeyCache? delegationKeys;
    private readonly AzureUploadJournal journals;
    private volatile bool containerReady;

    /// <summary>
    /// A store over <paramref name="container"/>, created on first use when missing. The client
    /// already knows its account; of <paramref name="options"/>, the block settings and the SAS
    /// clock skew are used, and <see cref="AzureBlobStoreOptions.ServiceUri"/> only to tell that the
    /// client signs in with a token credential (read URLs are then user delegation SAS).
    /// </summary>
    public AzureBlobStore(BlobContainerClient container, AzureBlobStoreOptions options)
        : this(container, options, TimeProvider.System, delegationKeySource: null)
    {
    }

    /// <summary>
    /// With a clock, and where user delegation keys come from (default: the container's account, when
    /// <see cref="ChooseSigning"/> picks user delegation).
    /// </summary>
    internal AzureBlobStore(
        BlobContainerClient container,
        AzureBlobStoreOptions options,
        TimeProvider clock,
        Func<DateTimeOffset, DateTimeOffset, CancellationToken, Task<UserDelegationKey>>? delegationKeySource)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BlockSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BlockSize, AzureBlobStoreOptions.MaxBlockSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxConcurrentStages);
        AzureBlobStoreOptions.ValidateSasClockSkew(options.SasClockSkew);
        this.container = container;
        journals = new AzureUploadJournal(container);
        this.options = options;
        this.clock = clock;
        Signing = delegationKeySource is not null
            ? SasSigning.UserDelegation
            : ChooseSigning(container.CanGenerateSasUri, usesTokenCredential: options.ConnectionString is null && options.ServiceUri is not null);
        if (Signing == SasSigning.UserDelegation)
        {
            delegationKeySource ??= FetchDelegationKeyAsync;
            delegationKeys = new UserDelegationKeyCache(delegationKeySource, clock, options.SasClockSkew);
        }
    }

    /// <summary>How read SAS URLs are signed by this store.</summary>
    internal SasSigning Signing { get; }

    internal UserDelegationKeyCache? DelegationKeys => delegationKeys;

    /// <summary>
    /// A store over the container <see cref="AzureBlobStoreOptions.ContainerName"/> of the account given
    /// by the connection string, or of <see cref="AzureBlobStoreOptions.ServiceUri"/> signed in with
    /// <see cref="DefaultAzureCredential"/>. Nothing is sent until the first call.
    /// </summary>
    public static AzureBlobStore Create(AzureBlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var service = options.Retry.CreateServiceClient(options.ConnectionString, options.ServiceUri);
        return new AzureBlobStore(service.GetBlobContainerClient(options.ContainerName), options);
    }

    private static bool IsContent(IDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(CommittedKey, out var value) && value == CommittedValue;

    private static void EnsureContent(bool isUpload, IDictionary<string, string> metadata, BlobLocation location)
    {
        if (isUpload && !IsContent(metadata))
        {
            throw new BlobNotFoundException(location.Value);
        }
    }

    private static void EnsureInside(long offset, long window, long stored)
    {
        if (offset > stored || window > stored - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes {offset}..{offset + window} are outside content of {stored} bytes");
        }
    }

    private static void EnsureLength(long stored, long length)
    {
        if (stored != length)
        {
            throw new InvalidOperationException($"the stored content holds {stored} bytes, not {length}");
        }
    }

    /// <summary>The total of a Content-Range <c>bytes first-last/total</c>; null without one.</summary>
    private static long? StoredLength(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange.AsSpan(slash + 1), out var total) ? total : null;
    }

    private static async Task<BlobProperties?> GetPropertiesOrNullAsync(BlobBaseClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
        {
            return null;
        }
    }

    private async ValueTask EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (containerReady)
        {
            return;
        }

        await containerLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!containerReady)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                containerReady = true;
            }
        }
        catch (RequestFailedException exception) when (exception.Status == 403)
        {
            // A credential scoped to the container (a SAS) may not create it; if it exists, every
            // call works, and if not, the calls report it.
            containerReady = true;
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "creating the container", container.Name);
        }
        finally
        {
            containerLock.Release();
        }
    }
}
