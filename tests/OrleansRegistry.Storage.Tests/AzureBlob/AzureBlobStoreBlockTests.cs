using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.AzureBlob;
using Xunit.Abstractions;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

/// <summary>
/// What only the Azure provider does: blocks, block ids, the commit in place and its marker, the
/// cleanup that spares committed content. Small blocks (64 KiB) so a few hundred KiB span several.
/// </summary>
public sealed class AzureBlobStoreBlockTests(AzuriteFixture azurite, ITestOutputHelper output) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const int BlockSize = 64 * 1024;
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly AzuriteContainer container = new(azurite);
    private AzureBlobStore? store;

    private AzureBlobStore Store => store ??= container.CreateStore(new AzureBlobStoreOptions
    {
        ConnectionString = azurite.ConnectionString,
        BlockSize = BlockSize,
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => container.DeleteAsync();

    [Fact]
    public async Task A_write_larger_than_the_block_size_is_cut_into_blocks()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(3 * BlockSize + 100);

        var parts = await StageAsync(uploadId, content, content.Length);

        Assert.Equal(4, parts.Count);
        var (_, uncommitted) = await container.BlocksAsync(uploadId);
        Assert.Equal([BlockSize, BlockSize, BlockSize, 100], InPartOrder(uncommitted));
        var location = await Store.CommitAsync(uploadId, parts, content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadAsync(location));
    }

    [Fact]
    public async Task Small_writes_are_gathered_into_full_blocks()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(2 * BlockSize + 5);

        var parts = await StageAsync(uploadId, content, 1000);

        Assert.Equal(3, parts.Count);
        var (_, uncommitted) = await container.BlocksAsync(uploadId);
        Assert.Equal([BlockSize, BlockSize, 5], InPartOrder(uncommitted));
    }

    [Fact]
    public async Task An_empty_attempt_stages_no_block()
    {
        var uploadId = NewUploadId();

        var parts = await StageAsync(uploadId, [], 1);

        Assert.Empty(parts);
        Assert.Equal(0, await container.CountStagedPartsAsync(uploadId));
    }

    [Fact]
    public async Task Block_ids_are_unique_per_attempt_and_all_of_one_length()
    {
        var uploadId = NewUploadId();
        var first = RandomBytes(2 * BlockSize + 10);
        var retried = RandomBytes(2 * BlockSize + 10);

        // A retried PATCH of the same range: same sizes, so the same block indexes.
        var firstParts = await StageAsync(uploadId, first, 4096);
        var retriedParts = await StageAsync(uploadId, retried, 4096);

        Assert.Empty(firstParts.Intersect(retriedParts));
        var (_, uncommitted) = await container.BlocksAsync(uploadId);
        Assert.Equal(6, uncommitted.Length);
        Assert.Single(uncommitted.Select(block => block.Name.Length).Distinct());
        Assert.All(uncommitted, block => Assert.Contains(PartOf(block.Name), firstParts.Concat(retriedParts)));

        // Keeping the first attempt commits exactly its bytes; the retry's blocks are discarded.
        var location = await Store.CommitAsync(uploadId, firstParts, first.Length, Sha256Of(first), None);
        AssertSameBytes(first, await ReadAsync(location));
        Assert.Equal(0, await container.CountStagedPartsAsync(uploadId));
    }

    [Fact]
    public async Task Parts_never_staged_for_the_upload_are_not_found()
    {
        // Deleting single parts is impossible in Azure; parts of another upload are missing here.
        var uploadId = NewUploadId();
        var otherId = NewUploadId();
        var content = RandomBytes(1000);
        var kept = await StageAsync(uploadId, content, 1000);
        var foreign = await StageAsync(otherId, content, 1000);

        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenStagedAsync(uploadId, [.. kept, .. foreign], None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.CommitAsync(uploadId, foreign, content.Length, Sha256Of(content), None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.CommitAsync(NewUploadId(), kept, content.Length, Sha256Of(content), None));

        // Nothing was committed by the failed calls: the kept part still commits.
        var location = await Store.CommitAsync(uploadId, kept, content.Length, Sha256Of(content), None);
        AssertSameBytes(content, await ReadAsync(location));
    }

    [Fact]
    public async Task More_than_50000_parts_are_rejected_before_anything_is_committed()
    {
        var uploadId = NewUploadId();
        var attempt = Guid.NewGuid().ToString("N");
        var parts = Enumerable.Range(0, AzureBlobStoreOptions.MaxBlocksPerBlob + 1).Select(index => $"{attempt}-{index:D6}").ToArray();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CommitAsync(uploadId, parts, 1, Sha256Of([1]), None));

        Assert.Contains("50000", error.Message);
        Assert.Null(await container.MetadataAsync(uploadId));
    }

    [Fact]
    public async Task Commit_marks_the_blob_and_a_retry_returns_it_checking_digest_and_length()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(BlockSize + 1);
        var digest = Sha256Of(content);
        var parts = await StageAsync(uploadId, content, 5000);

        var location = await Store.CommitAsync(uploadId, parts, content.Length, digest, None);
        var retried = await Store.CommitAsync(uploadId, parts, content.Length, digest, None);

        Assert.Equal($"uploads/{uploadId}", location.Value);
        Assert.Equal(location, retried);
        var properties = (await container.UploadBlob(uploadId).GetPropertiesAsync()).Value;
        Assert.Equal("true", properties.Metadata["committed"]);
        Assert.Equal(digest.ToString(), properties.Metadata["digest"]);
        Assert.Equal("application/octet-stream", properties.ContentType);
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CommitAsync(uploadId, parts, content.Length, Digest.Compute(DigestAlgorithm.Sha512, content), None));
        await Assert.ThrowsAsync<InvalidOperationException>(
            () => Store.CommitAsync(uploadId, parts, content.Length + 1, digest, None));
        AssertSameBytes(content, await ReadAsync(location));
    }

    [Fact]
    public async Task Committed_content_is_not_listed_and_survives_deleting_staging()
    {
        var committedId = NewUploadId();
        var stagedId = NewUploadId();
        var content = RandomBytes(3000);
        var parts = await StageAsync(committedId, content, 1000);
        await StageAsync(stagedId, RandomBytes(10), 10);
        var location = await Store.CommitAsync(committedId, parts, content.Length, Sha256Of(content), None);

        var listed = await Store.ListStagedUploadsAsync(None).Select(staged => staged.UploadId).ToListAsync();
        await Store.DeleteStagingAsync(committedId, None);

        Assert.Equal([stagedId], listed);
        AssertSameBytes(content, await ReadAsync(location));
    }

    [Fact]
    public async Task Deleting_staging_removes_an_upload_of_uncommitted_blocks_without_leaving_a_blob()
    {
        var uploadId = NewUploadId();
        await StageAsync(uploadId, RandomBytes(2 * BlockSize), 4096);

        await Store.DeleteStagingAsync(uploadId, None);

        Assert.Equal(0, await container.CountStagedPartsAsync(uploadId));
        Assert.Null(await container.MetadataAsync(uploadId));
        Assert.Empty(await Store.ListStagedUploadsAsync(None).ToListAsync());
    }

    [Fact]
    public async Task An_abandoned_attempt_keeps_its_staged_blocks_until_the_staging_is_deleted()
    {
        var uploadId = NewUploadId();
        await using (var writer = await Store.BeginStagingAsync(uploadId, 0, None))
        {
            await writer.WriteAsync(RandomBytes(3 * BlockSize + 7), None);
        }

        // The full blocks went out while writing; the partial last one never did.
        Assert.Equal(3, await container.CountStagedPartsAsync(uploadId));
        Assert.Contains(uploadId, await Store.ListStagedUploadsAsync(None).Select(staged => staged.UploadId).ToListAsync());
        await Store.DeleteStagingAsync(uploadId, None);
        Assert.Equal(0, await container.CountStagedPartsAsync(uploadId));
    }

    [Fact]
    public async Task Reading_staged_parts_does_not_make_them_content()
    {
        var uploadId = NewUploadId();
        var content = RandomBytes(BlockSize + 3);
        var parts = await StageAsync(uploadId, content, 7000);

        AssertSameBytes(content, await ReadAllAsync(await Store.OpenStagedAsync(uploadId, parts, None)));
        AssertSameBytes(content, await ReadAllAsync(await Store.OpenStagedAsync(uploadId, parts, None)));

        var upload = new BlobLocation($"uploads/{uploadId}");
        Assert.Null(await Store.GetLengthAsync(upload, None));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.OpenReadAsync(upload, 0, null, None));
        Assert.Contains(uploadId, await Store.ListStagedUploadsAsync(None).Select(staged => staged.UploadId).ToListAsync());

        // The final PUT: committing after the sha512 check, and a read of the committed upload.
        var digest = Digest.Compute(DigestAlgorithm.Sha512, content);
        var location = await Store.CommitAsync(uploadId, parts, content.Length, digest, None);
        AssertSameBytes(content, await ReadAsync(location));
        AssertSameBytes(content, await ReadAllAsync(await Store.OpenStagedAsync(uploadId, parts, None)));
    }

    [Theory]
    [InlineData("uploads/")]
    [InlineData("uploads/a/b")]
    [InlineData("uploads/../blobs")]
    [InlineData("blobs/sha256/abc")]
    [InlineData("blobs/sha256/AB12")]
    [InlineData("blobs/md5/0123456789abcdef0123456789abcdef")]
    [InlineData("blobs/sha256/../../x")]
    [InlineData("other/thing")]
    [InlineData("")]
    public async Task Locations_not_made_by_the_store_are_rejected(string value)
    {
        var location = new BlobLocation(value);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetLengthAsync(location, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(location, 0, null, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(location, None));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task Upload_ids_outside_the_contract_are_rejected(string uploadId)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.BeginStagingAsync(uploadId, 0, None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteStagingAsync(uploadId, None));
    }

    [Theory]
    [InlineData("not-a-part")]
    [InlineData("0123456789abcdef0123456789ABCDEF-000001")]
    [InlineData("0123456789abcdef0123456789abcdef-00001")]
    [InlineData("0123456789abcdef0123456789abcdef_000001")]
    public async Task Parts_not_made_by_the_store_are_rejected(string part)
    {
        var uploadId = NewUploadId();

        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(uploadId, [part], 1, Sha256Of([1]), None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenStagedAsync(uploadId, [part], None));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeletePartsAsync(uploadId, [part], None));
    }

    [Fact]
    public async Task A_refused_request_is_an_IOException_saying_access_was_denied()
    {
        var wrongKey = Convert.ToBase64String(RandomBytes(64));
        var client = new BlobContainerClient(AzuriteFixture.ConnectionStringFor(azurite.Endpoint, wrongKey), container.Client.Name, AzuriteFixture.NoRetries());
        var refused = new AzureBlobStore(client, new AzureBlobStoreOptions { ConnectionString = "unused" });

        var error = await Assert.ThrowsAsync<IOException>(() => refused.GetLengthAsync(new BlobLocation("uploads/x"), None));

        output.WriteLine(error.Message);
        Assert.Contains("access denied", error.Message);
    }

    [Fact]
    public async Task An_unreachable_account_is_unavailable_storage_saying_so()
    {
        var client = new BlobContainerClient(AzuriteFixture.ConnectionStringFor("http://127.0.0.1:9/devstoreaccount1", AzuriteFixture.AccountKey), "absent", AzuriteFixture.NoRetries());
        var unreachable = new AzureBlobStore(client, new AzureBlobStoreOptions { ConnectionString = "unused" });

        // Unavailable, not refused: the registry answers 503 and the client retries.
        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => unreachable.GetLengthAsync(new BlobLocation("uploads/x"), None));

        output.WriteLine(error.Message);
        Assert.Contains("could not be reached", error.Message);
    }

    [Fact]
    public void Options_must_name_exactly_one_way_to_reach_the_account()
    {
        Assert.Throws<ArgumentException>(() => AzureBlobStore.Create(new AzureBlobStoreOptions()));
        Assert.Throws<ArgumentException>(() => AzureBlobStore.Create(new AzureBlobStoreOptions
        {
            ConnectionString = azurite.ConnectionString,
            ServiceUri = new Uri(azurite.Endpoint),
        }));
        Assert.Throws<ArgumentOutOfRangeException>(() => AzureBlobStore.Create(new AzureBlobStoreOptions
        {
            ConnectionString = azurite.ConnectionString,
            BlockSize = 0,
        }));
        Assert.Equal(8 * 1024 * 1024, new AzureBlobStoreOptions().BlockSize);
        Assert.Equal(390, new AzureBlobStoreOptions().MaxBlobLength >> 30);
    }

    [Fact]
    public async Task Create_makes_the_container_on_first_use()
    {
        var name = AzuriteFixture.NewContainerName();
        var created = AzureBlobStore.Create(new AzureBlobStoreOptions { ConnectionString = azurite.ConnectionString, ContainerName = name });
        try
        {
            var location = await created.PutAsync(Sha256Of([1, 2, 3]), new byte[] { 1, 2, 3 }, None);

            Assert.Equal(3, await created.GetLengthAsync(location, None));
            Assert.True((await azurite.Service.GetBlobContainerClient(name).ExistsAsync()).Value);
        }
        finally
        {
            await azurite.Service.GetBlobContainerClient(name).DeleteIfExistsAsync();
        }
    }

    /// <summary>
    /// 32 MiB staged in 1 MiB writes (the server's read buffer) with the default 8 MiB blocks, then
    /// committed, for 1, 2 and 4 concurrent stages; and read back in one streamed GET.
    /// </summary>
    [Fact]
    public async Task Throughput_of_staging_and_committing_32_MiB()
    {
        const int size = 32 * 1024 * 1024;
        const int write = 1024 * 1024;
        var content = RandomBytes(size);
        var digest = Sha256Of(content);
        foreach (var stages in new[] { 1, 2, 4 })
        {
            var measured = container.CreateStore(new AzureBlobStoreOptions { ConnectionString = azurite.ConnectionString, MaxConcurrentStages = stages });

            // One warm-up upload (connections, JIT), then the measured one.
            for (var round = 0; round < 2; round++)
            {
                var uploadId = NewUploadId();
                var clock = Stopwatch.StartNew();
                IReadOnlyList<string> parts;
                await using (var writer = await measured.BeginStagingAsync(uploadId, 0, None))
                {
                    for (var offset = 0; offset < size; offset += write)
                    {
                        await writer.WriteAsync(content.AsMemory(offset, write), None);
                    }

                    parts = await writer.CompleteAsync(None);
                }

                var staged = clock.Elapsed;
                var location = await measured.CommitAsync(uploadId, parts, size, digest, None);
                var committed = clock.Elapsed;
                clock.Restart();
                var read = await ReadAllAsync(await measured.OpenReadAsync(location, 0, null, None));
                var readTime = clock.Elapsed;
                AssertSameBytes(content, read);
                await measured.DeleteAsync(location, None);
                if (round == 1)
                {
                    output.WriteLine(
                        $"MaxConcurrentStages={stages}: staged 32 MiB in {parts.Count} blocks in {staged.TotalMilliseconds:F0} ms, "
                        + $"committed after {committed.TotalMilliseconds:F0} ms: {32 / committed.TotalSeconds:F0} MiB/s; "
                        + $"read back in {readTime.TotalMilliseconds:F0} ms: {32 / readTime.TotalSeconds:F0} MiB/s");
                }
            }
        }
    }

    /// <summary>Block sizes in the order of their parts: blocks staged concurrently are listed as they arrived.</summary>
    private static long[] InPartOrder(Azure.Storage.Blobs.Models.BlobBlock[] blocks) =>
        [.. blocks.OrderBy(block => PartOf(block.Name), StringComparer.Ordinal).Select(block => block.SizeLong)];

    private static string PartOf(string blockId) => Encoding.ASCII.GetString(Convert.FromBase64String(blockId));

    /// <summary>
    /// What Azurite takes from the SDK's own parallel upload of the same 32 MiB (8 MiB blocks, 2 at a
    /// time): the staging writer should come close to it; when both are slow, Azurite is the limit.
    /// </summary>
    [Fact]
    public async Task Throughput_of_the_sdk_uploading_32_MiB_for_comparison()
    {
        const int size = 32 * 1024 * 1024;
        var content = RandomBytes(size);
        await container.Client.CreateIfNotExistsAsync();
        for (var round = 0; round < 2; round++)
        {
            var blob = container.Client.GetBlobClient("sdk/" + NewUploadId());
            var clock = Stopwatch.StartNew();
            await blob.UploadAsync(new BinaryData(content), new Azure.Storage.Blobs.Models.BlobUploadOptions
            {
                TransferOptions = new Azure.Storage.StorageTransferOptions
                {
                    InitialTransferSize = 8 * 1024 * 1024,
                    MaximumTransferSize = 8 * 1024 * 1024,
                    MaximumConcurrency = 2,
                },
            });
            if (round == 1)
            {
                output.WriteLine($"SDK upload of 32 MiB (8 MiB blocks, 2 at a time): {clock.ElapsedMilliseconds} ms: {32 / clock.Elapsed.TotalSeconds:F0} MiB/s");
            }

            await blob.DeleteAsync();
        }
    }

    /// <summary>
    /// The writer's own ceiling: 512 MiB staged in 1 MiB writes against a transport that accepts every
    /// block at once (no network, no storage), so what remains is the copy into pooled blocks and the
    /// SDK's request pipeline. Also shows that the blocks' buffers are reused from the pool.
    /// </summary>
    [Fact]
    public async Task Throughput_of_the_staging_writer_without_storage()
    {
        const int write = 1024 * 1024;
        const int total = 512 * write;
        var piece = RandomBytes(write);
        var sink = new AcceptingHandler();
        var options = new BlobClientOptions { Transport = new Azure.Core.Pipeline.HttpClientTransport(new HttpClient(sink)) };
        var client = new BlobContainerClient(azurite.ConnectionString, "sink", options);
        var sinkStore = new AzureBlobStore(client, new AzureBlobStoreOptions { ConnectionString = "unused" });
        for (var round = 0; round < 2; round++)
        {
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            await using (var writer = await sinkStore.BeginStagingAsync(NewUploadId(), 0, None))
            {
                for (var written = 0; written < total; written += write)
                {
                    await writer.WriteAsync(piece, None);
                }

                Assert.Equal(64, (await writer.CompleteAsync(None)).Count);
            }

            if (round == 1)
            {
                output.WriteLine(
                    $"staging writer, no storage: 512 MiB in {clock.ElapsedMilliseconds} ms: {512 / clock.Elapsed.TotalSeconds:F0} MiB/s, "
                    + $"{(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024} KiB allocated");
            }
        }

        Assert.Equal(2L * total, sink.Received);
    }

    /// <summary>Answers every request 201 after draining its body.</summary>
    private sealed class AcceptingHandler : HttpMessageHandler
    {
        private long received;

        public long Received => Interlocked.Read(ref received);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                // Copied into a counting sink: reading it as a stream would buffer the whole body.
                var counter = new CountingStream();
                await request.Content.CopyToAsync(counter, cancellationToken);
                Interlocked.Add(ref received, counter.Length);
            }

            var response = new HttpResponseMessage(System.Net.HttpStatusCode.Created) { Content = new ByteArrayContent([]) };
            response.Headers.TryAddWithoutValidation("ETag", "\"0x1\"");
            return response;
        }
    }

    private sealed class CountingStream : Stream
    {
        private long length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => length;

        public override long Position { get => length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => length += count;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }

    private static string NewUploadId() => Guid.NewGuid().ToString("N");

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static Digest Sha256Of(ReadOnlySpan<byte> content) => Digest.Compute(DigestAlgorithm.Sha256, content);

    private async Task<IReadOnlyList<string>> StageAsync(string uploadId, byte[] content, int writeSize)
    {
        await using var writer = await Store.BeginStagingAsync(uploadId, 0, None);
        for (var offset = 0; offset < content.Length; offset += writeSize)
        {
            await writer.WriteAsync(content.AsMemory(offset, Math.Min(writeSize, content.Length - offset)), None);
        }

        Assert.Equal(content.Length, writer.Length);
        return await writer.CompleteAsync(None);
    }

    private async Task<byte[]> ReadAsync(BlobLocation location) => await ReadAllAsync(await Store.OpenReadAsync(location, 0, null, None));

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, 1024 * 1024);
            return copy.ToArray();
        }
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(expected)), Convert.ToHexString(SHA256.HashData(actual)));
    }
}
