using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>Uploads: staging blocks, reading and committing them, journals, cleanup and listing of staged uploads.</summary>
public sealed partial class AzureBlobStore
{
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
