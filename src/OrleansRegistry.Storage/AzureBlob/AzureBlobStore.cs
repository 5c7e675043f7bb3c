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
public sealed class AzureBlobStore : IBlobStore, IBlobRedirects
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

    /// <summary>
    /// Each attempt stages blocks of its own, so racing attempts never collide and the committed
    /// length is not needed: the committed blocks are whatever the upload grain lists.
    /// </summary>
    public async ValueTask<IStagingWriter> BeginStagingAsync(string uploadId, long committedLength, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(committedLength);
        var name = AzureBlobNames.UploadBlob(uploadId);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        return new AzureStagingWriter(container.GetBlockBlobClient(name), options.BlockSize, options.MaxConcurrentStages);
    }

    /// <summary>
    /// Azure cannot read uncommitted blocks, so this commits them first: the given parts, followed
    /// by every other block the blob holds (so other attempts' blocks survive as committed blocks and
    /// can still be committed later), then reads the parts' bytes with one ranged GET. A block staged
    /// by a concurrent attempt between the listing and that commit is dropped; the server only
    /// calls this at the final PUT (to verify a digest other than sha256), when no chunk is in flight.
    /// The blob is not marked as content, so it stays staging (listed, deletable) until
    /// <see cref="CommitAsync"/>. A committed upload is read as is when it starts with the parts.
    /// </summary>
    public async Task<Stream> OpenStagedAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        var name = AzureBlobNames.UploadBlob(uploadId);
        var blockIds = AzureBlobNames.BlockIdsOf(parts);
        if (blockIds.Length == 0)
        {
            return new MemoryStream([], writable: false);
        }

        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlockBlobClient(name);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var state = await GetStateAsync(blob, cancellationToken).ConfigureAwait(false);
                var stagedLength = state.Measure(blockIds, out var missing);
                if (missing >= 0)
                {
                    throw new BlobNotFoundException($"{name}/{parts[missing]}");
                }

                ETag readable;
                if (state.CommittedStartsWith(blockIds))
                {
                    readable = state.ETag!.Value;
                }
                else if (state.IsContent)
                {
                    // The upload was committed with other parts; these are gone.
                    throw new BlobNotFoundException($"{name}/{parts[0]}");
                }
                else
                {
                    var list = state.BlockListKeepingOthers(blockIds);
                    var committed = await blob.CommitBlockListAsync(list, new CommitBlockListOptions
                    {
                        HttpHeaders = new BlobHttpHeaders { ContentType = OctetStream },
                        Conditions = state.Unchanged(),
                    }, cancellationToken).ConfigureAwait(false);
                    readable = committed.Value.ETag;
                }

                var download = await blob.DownloadStreamingAsync(new BlobDownloadOptions
                {
                    Range = new HttpRange(0, stagedLength),
                    Conditions = new BlobRequestConditions { IfMatch = readable },
                }, cancellationToken).ConfigureAwait(false);
                return download.Value.Content;
            }
            catch (RequestFailedException exception) when (AzureErrors.IsConditionFailure(exception) && attempt < ConditionRetries)
            {
                // The blob changed between looking and committing or reading; look again.
            }
            catch (RequestFailedException exception) when (AzureErrors.IsInvalidBlockList(exception) || AzureErrors.IsNotFound(exception))
            {
                throw new BlobNotFoundException(name);
            }
            catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
            {
                throw AzureErrors.ToIOException(exception, "reading staged parts", name);
            }
        }
    }

    /// <summary>
    /// Commits exactly the parts, in order, as the content of the upload blob, marked
    /// <c>committed=true</c> and <c>digest=…</c> in the same request, and returns that blob's name.
    /// The length is checked against the block list before anything is committed. A retry after
    /// the commit (a lost response) finds the marked blob and returns it. Every uncommitted block not
    /// named is discarded by the commit, which is what "drops the parts" means here.
    /// </summary>
    public async Task<BlobLocation> CommitAsync(string uploadId, IReadOnlyList<string> parts, long length, Digest digest, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var name = AzureBlobNames.UploadBlob(uploadId);
        var blockIds = AzureBlobNames.BlockIdsOf(parts);
        if (blockIds.Length > AzureBlobStoreOptions.MaxBlocksPerBlob)
        {
            throw new InvalidOperationException(
                $"{blockIds.Length} parts exceed Azure's limit of {AzureBlobStoreOptions.MaxBlocksPerBlob} blocks per blob");
        }

        var digestText = digest.Hex is null ? throw new ArgumentException("the digest is empty", nameof(digest)) : digest.ToString();
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlockBlobClient(name);
        var location = new BlobLocation(name);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var state = await GetStateAsync(blob, cancellationToken).ConfigureAwait(false);
                if (state.IsContent)
                {
                    var committedDigest = state.Metadata!.TryGetValue(DigestKey, out var value) ? value : null;
                    if (committedDigest != digestText)
                    {
                        throw new InvalidOperationException($"upload '{uploadId}' is already committed as {committedDigest}, not {digestText}");
                    }

                    EnsureLength(state.ContentLength, length);
                    return location;
                }

                var stagedLength = state.Measure(blockIds, out var missing);
                if (missing >= 0)
                {
                    throw new BlobNotFoundException($"{name}/{parts[missing]}");
                }

                if (stagedLength != length)
                {
                    throw new InvalidOperationException($"the staged parts hold {stagedLength} bytes, not {length}");
                }

                await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = OctetStream },
                    Metadata = new Dictionary<string, string> { [CommittedKey] = CommittedValue, [DigestKey] = digestText },
                    Conditions = state.Unchanged(),
                }, cancellationToken).ConfigureAwait(false);
                return location;
            }
            catch (RequestFailedException exception) when (AzureErrors.IsConditionFailure(exception) && attempt < ConditionRetries)
            {
                // A concurrent commit (or cleanup) changed the blob; look again.
            }
            catch (RequestFailedException exception) when (AzureErrors.IsInvalidBlockList(exception))
            {
                throw new BlobNotFoundException(name);
            }
            catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
            {
                throw AzureErrors.ToIOException(exception, "committing the upload", name);
            }
        }
    }

    /// <summary>
    /// Nothing to do: Azure cannot delete single uncommitted blocks. They are discarded by the
    /// commit of the upload (it keeps only the blocks it names), by <see cref="DeleteStagingAsync"/>,
    /// or by Azure itself 7 days after they were staged. The arguments are still validated.
    /// </summary>
    public Task DeletePartsAsync(string uploadId, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        AzureBlobNames.UploadBlob(uploadId);
        AzureBlobNames.BlockIdsOf(parts);
        return Task.CompletedTask;
    }

    public async Task<long> AppendJournalAsync(string uploadId, long position, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        return await journals.AppendAsync(uploadId, position, record, cancellationToken).ConfigureAwait(false);
    }

    public async Task<UploadJournal> ReadJournalAsync(string uploadId, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        return await journals.ReadAsync(uploadId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the upload blob with all its blocks, unless it is committed content (marked
    /// <c>committed=true</c>): the janitor also expires finished uploads, whose blob is now the
    /// content. Every delete is conditional on the blob being what was looked at, so a commit racing
    /// the cleanup is never deleted. A blob with only uncommitted blocks has no ETag to condition a
    /// delete on (its properties answer 404), so an empty block list is committed first, with
    /// If-None-Match: * (it discards every uncommitted block, and fails if a commit came first), and
    /// that empty blob is then deleted by its ETag.
    /// </summary>
    public async Task DeleteStagingAsync(string uploadId, CancellationToken cancellationToken)
    {
        var name = AzureBlobNames.UploadBlob(uploadId);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);

        // The journal first: the staging left behind by a crash in between is still listed for expiry.
        await journals.DeleteAsync(uploadId, cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlockBlobClient(name);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var state = await GetStateAsync(blob, cancellationToken).ConfigureAwait(false);
                if (state.IsContent || (!state.Exists && state.Uncommitted.Count == 0))
                {
                    return;
                }

                var etag = state.ETag;
                if (etag is null)
                {
                    var emptied = await blob.CommitBlockListAsync([], new CommitBlockListOptions
                    {
                        Conditions = state.Unchanged(),
                    }, cancellationToken).ConfigureAwait(false);
                    etag = emptied.Value.ETag;
                }

                await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = etag }, cancellationToken)
                    .ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
            {
                return;
            }
            catch (RequestFailedException exception) when (AzureErrors.IsConditionFailure(exception) && attempt < ConditionRetries)
            {
                // A commit or another cleanup raced this one; look again.
            }
            catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
            {
                throw AzureErrors.ToIOException(exception, "deleting the staged upload", name);
            }
        }
    }

    /// <summary>
    /// Every <c>uploads/</c> blob that is not committed content, including those that hold only
    /// uncommitted blocks (listed because uncommitted blobs are asked for), with its last modification;
    /// then every journal of an upload not listed yet (a finished upload's).
    /// </summary>
    public async IAsyncEnumerable<StagedUpload> ListStagedUploadsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var options = new GetBlobsOptions
        {
            Prefix = AzureBlobNames.UploadsPrefix,
            Traits = BlobTraits.Metadata,
            States = BlobStates.Uncommitted,
        };
        var listed = new HashSet<string>(StringComparer.Ordinal);
        string? previous = null;
        await foreach (var item in AzureListing.ListAsync(container, options, cancellationToken).ConfigureAwait(false))
        {
            // A blob could be listed in its committed and its uncommitted state; the first entry decides.
            var repeated = item.Name == previous;
            previous = item.Name;
            if (repeated || AzureBlobNames.UploadIdOf(item.Name) is not { } uploadId || IsContent(item.Metadata))
            {
                continue;
            }

            listed.Add(uploadId);
            yield return new StagedUpload(uploadId, AzureListing.LastWrite(item));
        }

        await foreach (var journal in journals.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!listed.Contains(journal.UploadId))
            {
                yield return journal;
            }
        }
    }

    /// <summary>Stores the content in one request; content already there (or racing in) is left as it is.</summary>
    public async Task<BlobLocation> PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var location = AzureBlobNames.ContentLocation(digest);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlockBlobClient(location.Value);
        try
        {
            using var stream = new BinaryData(content).ToStream();
            await blob.UploadAsync(stream, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = OctetStream },
                Metadata = new Dictionary<string, string> { [DigestKey] = digest.ToString() },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (AzureErrors.IsConditionFailure(exception))
        {
            // Already stored: content under a digest is immutable.
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "storing", location.Value);
        }

        return location;
    }

    public async Task<long?> GetLengthAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        var name = AzureBlobNames.BlobOf(location, out var isUpload);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var properties = await container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return !isUpload || IsContent(properties.Value.Metadata) ? properties.Value.ContentLength : null;
        }
        catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
        {
            return null;
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "reading the properties", name);
        }
    }

    /// <summary>One GET of exactly the range, streamed; an upload blob counts only once committed.</summary>
    public async Task<Stream> OpenReadAsync(BlobLocation location, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(length));
        }

        var name = AzureBlobNames.BlobOf(location, out var isUpload);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blob = container.GetBlobClient(name);
        try
        {
            if (length == 0)
            {
                // Azure answers no range of zero bytes; only existence and the bounds matter.
                var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                EnsureContent(isUpload, properties.Value.Metadata, location);
                EnsureInside(offset, 0, properties.Value.ContentLength);
                return new MemoryStream([], writable: false);
            }

            var download = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken)
                .ConfigureAwait(false);
            var details = download.Value.Details;
            var stream = download.Value.Content;
            try
            {
                EnsureContent(isUpload, details.Metadata, location);
                var stored = StoredLength(details.ContentRange) ?? details.ContentLength;
                EnsureInside(offset, length ?? stored - offset, stored);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return stream;
        }
        catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
        {
            throw new BlobNotFoundException(location.Value);
        }
        catch (RequestFailedException exception) when (exception.Status == AzureErrors.RangeNotSatisfiable)
        {
            // The range starts at or past the end: fine only when it asks for nothing from the very end.
            BlobProperties? found;
            try
            {
                found = await GetPropertiesOrNullAsync(blob, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (AzureErrors.IsAzureFailure(failure))
            {
                throw AzureErrors.ToIOException(failure, "reading the properties", name);
            }

            var properties = found ?? throw new BlobNotFoundException(location.Value);
            EnsureContent(isUpload, properties.Metadata, location);
            EnsureInside(offset, length ?? 0, properties.ContentLength);
            if (length is null && offset == properties.ContentLength)
            {
                return new MemoryStream([], writable: false);
            }

            throw new ArgumentOutOfRangeException(nameof(offset), $"bytes from {offset} are outside content of {properties.ContentLength} bytes");
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "reading", name);
        }
    }

    /// <summary>
    /// A read-only SAS URL of the location's blob (<c>sp=r</c>, <c>sr=b</c>): valid from now minus
    /// <see cref="AzureBlobStoreOptions.SasClockSkew"/> until now plus <paramref name="lifetime"/>, HTTPS
    /// only when the account endpoint is HTTPS. Signed with the account key (a service SAS) or with a
    /// user delegation key (cached, renewed before it expires); null when the credential can do
    /// neither (a connection string holding a SAS). Nothing is sent to Azure but, now and then, the
    /// request for a user delegation key. The URL is never logged nor put in an exception.
    /// </summary>
    public async ValueTask<Uri?> GetReadUrlAsync(BlobLocation location, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, AzureBlobStoreOptions.MaxSasLifetime);
        var name = AzureBlobNames.BlobOf(location, out _);
        if (Signing == SasSigning.None)
        {
            return null;
        }

        var blob = container.GetBlobClient(name);
        var sas = ReadSas(container.Name, name, clock.GetUtcNow(), lifetime, options.SasClockSkew, blob.Uri);
        if (Signing == SasSigning.AccountKey)
        {
            return blob.GenerateSasUri(sas);
        }

        UserDelegationKey key;
        try
        {
            key = await delegationKeys!.GetAsync(sas.StartsOn, sas.ExpiresOn, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "getting a user delegation key for a read URL", name);
        }

        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, container.AccountName) }.ToUri();
    }

    /// <summary>
    /// An account key signs a service SAS; without one, a token credential can get user delegation
    /// keys; anything else (a SAS connection string, anonymous access) signs nothing.
    /// </summary>
    internal static SasSigning ChooseSigning(bool hasAccountKey, bool usesTokenCredential) =>
        hasAccountKey ? SasSigning.AccountKey : usesTokenCredential ? SasSigning.UserDelegation : SasSigning.None;

    /// <summary>The SAS of a read of one blob: start backdated by the skew, expiry <paramref name="lifetime"/> from now.</summary>
    internal static BlobSasBuilder ReadSas(string containerName, string blobName, DateTimeOffset now, TimeSpan lifetime, TimeSpan clockSkew, Uri endpoint)
    {
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, now + lifetime)
        {
            BlobContainerName = containerName,
            BlobName = blobName,
            Resource = "b",
            StartsOn = now - clockSkew,
            Protocol = endpoint.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        return sas;
    }

    private async Task<UserDelegationKey> FetchDelegationKeyAsync(DateTimeOffset startsOn, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var service = container.GetParentBlobServiceClient();
        var response = await service.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(expiresOn) { StartsOn = startsOn }, cancellationToken)
            .ConfigureAwait(false);
        return response.Value;
    }

    public async Task DeleteAsync(BlobLocation location, CancellationToken cancellationToken)
    {
        var name = AzureBlobNames.BlobOf(location, out _);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "deleting", name);
        }
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

    /// <summary>
    /// The committed blob's properties (when it exists) and both block lists, consistent with each
    /// other: GetBlockList takes no If-Match, so its ETag is compared and a changed blob is read again.
    /// </summary>
    private static async Task<UploadBlobState> GetStateAsync(BlockBlobClient blob, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var properties = await GetPropertiesOrNullAsync(blob, cancellationToken).ConfigureAwait(false);
            BlockList blocks;
            try
            {
                blocks = (await blob.GetBlockListAsync(BlockListTypes.All, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException exception) when (AzureErrors.IsNotFound(exception))
            {
                if (properties is not null && attempt < ConditionRetries)
                {
                    continue;
                }

                return new UploadBlobState(null, [], []);
            }

            var committedNow = blocks.ETag is { } etag && etag != default;
            if ((properties is null ? committedNow : blocks.ETag != properties.ETag) && attempt < ConditionRetries)
            {
                // Committed or changed between the two requests.
                continue;
            }

            return new UploadBlobState(properties, [.. blocks.CommittedBlocks ?? []], [.. blocks.UncommittedBlocks ?? []]);
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

    /// <summary>What an upload blob holds: its committed form (if any) and its committed and uncommitted blocks.</summary>
    private sealed class UploadBlobState(BlobProperties? properties, BlobBlock[] committed, BlobBlock[] uncommitted)
    {
        public bool Exists => properties is not null;

        public bool IsContent => IsContent(properties?.Metadata);

        public ETag? ETag => properties?.ETag;

        public IDictionary<string, string>? Metadata => properties?.Metadata;

        public long ContentLength => properties?.ContentLength ?? 0;

        public IReadOnlyList<BlobBlock> Uncommitted => uncommitted;

        /// <summary>The condition that the committed blob is still what was looked at (or still absent).</summary>
        public BlobRequestConditions Unchanged() =>
            properties is null
                ? new BlobRequestConditions { IfNoneMatch = Azure.ETag.All }
                : new BlobRequestConditions { IfMatch = properties.ETag };

        /// <summary>
        /// Sums the sizes of the given blocks as a commit would find them (uncommitted first, then
        /// committed); <paramref name="missing"/> is the index of the first block found in neither, or -1.
        /// </summary>
        public long Measure(string[] blockIds, out int missing)
        {
            var sizes = new Dictionary<string, long>(committed.Length + uncommitted.Length, StringComparer.Ordinal);
            foreach (var block in committed)
            {
                sizes[block.Name] = block.SizeLong;
            }

            foreach (var block in uncommitted)
            {
                sizes[block.Name] = block.SizeLong;
            }

            long total = 0;
            for (var i = 0; i < blockIds.Length; i++)
            {
                if (!sizes.TryGetValue(blockIds[i], out var size))
                {
                    missing = i;
                    return total;
                }

                total += size;
            }

            missing = -1;
            return total;
        }

        public bool CommittedStartsWith(string[] blockIds)
        {
            if (properties is null || committed.Length < blockIds.Length)
            {
                return false;
            }

            for (var i = 0; i < blockIds.Length; i++)
            {
                if (committed[i].Name != blockIds[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The given blocks, then every other block of the blob once (as long as Azure's cap allows),
        /// so committing this list makes the given blocks readable without losing the others.
        /// </summary>
        public List<string> BlockListKeepingOthers(string[] blockIds)
        {
            var list = new List<string>(blockIds);
            var seen = new HashSet<string>(blockIds, StringComparer.Ordinal);
            foreach (var block in uncommitted.Concat(committed))
            {
                if (list.Count >= AzureBlobStoreOptions.MaxBlocksPerBlob)
                {
                    break;
                }

                if (seen.Add(block.Name))
                {
                    list.Add(block.Name);
                }
            }

            return list;
        }
    }
}

/// <summary>How an <see cref="AzureBlobStore"/> signs read SAS URLs.</summary>
internal enum SasSigning
{
    /// <summary>It cannot: no redirects.</summary>
    None,

    /// <summary>A service SAS signed with the account key of the connection string.</summary>
    AccountKey,

    /// <summary>A user delegation SAS signed with a key the token credential gets from Azure.</summary>
    UserDelegation,
}
