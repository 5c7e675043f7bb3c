using System.Security.Cryptography;
using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Storage.Tests.Contract;

/// <summary>
/// What every <see cref="IBlobStore"/> provider must do. A provider's test class derives from this,
/// supplies a store over fresh, empty storage and cleans it up; the facts only use the interface.
/// The facts are split by feature over the partial files next to this one.
/// </summary>
public abstract partial class BlobStoreContractTests
{
    private IBlobStore? store;

    /// <summary>The store under test, created on first use (after the derived constructor ran).</summary>
    protected IBlobStore Store => store ??= CreateStore();

    protected static CancellationToken None => CancellationToken.None;

    /// <summary>A store over storage that no other test uses.</summary>
    protected abstract IBlobStore CreateStore();

    /// <summary>
    /// How many parts are staged for the upload, looked at from the provider's side
    /// (files, uncommitted blocks): the interface cannot list parts it did not hand out.
    /// </summary>
    protected abstract Task<int> CountStagedPartsAsync(string uploadId);

    protected static string NewUploadId() => Guid.NewGuid().ToString("N");

    protected static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    protected static Digest Sha256Of(ReadOnlySpan<byte> content) => Digest.Compute(DigestAlgorithm.Sha256, content);

    /// <summary>
    /// What each upload has committed so far, as its upload grain would record it: every attempt
    /// staged through <see cref="StageAsync"/> counts as committed, one after another.
    /// </summary>
    protected Dictionary<string, long> Committed { get; } = [];

    /// <summary>
    /// Stages one attempt at the upload's committed length (see <see cref="Committed"/>), writing
    /// <paramref name="content"/> in pieces of the given sizes (cycled), and counts it as committed.
    /// </summary>
    protected async Task<IReadOnlyList<string>> StageAsync(string uploadId, ReadOnlyMemory<byte> content, params int[] writeSizes)
    {
        var parts = await StageAtAsync(Store, uploadId, Committed.GetValueOrDefault(uploadId), content, writeSizes);
        Committed[uploadId] = Committed.GetValueOrDefault(uploadId) + content.Length;
        return parts;
    }

    /// <summary>Stages one attempt at the given committed length, which is left as it is.</summary>
    protected static async Task<IReadOnlyList<string>> StageAtAsync(
        IBlobStore store, string uploadId, long committedLength, ReadOnlyMemory<byte> content, params int[] writeSizes)
    {
        await using var writer = await store.BeginStagingAsync(uploadId, committedLength, None);
        await WriteInPiecesAsync(writer, content, writeSizes);
        return await writer.CompleteAsync(None);
    }

    protected static async Task WriteInPiecesAsync(IStagingWriter writer, ReadOnlyMemory<byte> content, params int[] writeSizes)
    {
        if (writeSizes.Length == 0)
        {
            writeSizes = [content.Length];
        }

        var written = 0;
        for (var i = 0; written < content.Length; i++)
        {
            var size = Math.Min(writeSizes[i % writeSizes.Length], content.Length - written);
            await writer.WriteAsync(content.Slice(written, size), None);
            written += size;
        }
    }

    /// <summary>Stages the content split into several attempts' parts, returning all parts in order.</summary>
    protected async Task<IReadOnlyList<string>> StageInPartsAsync(string uploadId, byte[] content, params int[] partSizes)
    {
        var parts = new List<string>();
        var offset = 0;
        foreach (var size in partSizes.Append(content.Length - partSizes.Sum()))
        {
            parts.AddRange(await StageAsync(uploadId, content.AsMemory(offset, size)));
            offset += size;
        }

        return parts;
    }

    /// <summary>Reads a stream to its end with reads of varying size, as a network copy would.</summary>
    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var result = new MemoryStream();
            var buffer = new byte[100_003];
            int[] readSizes = [1, 7, 4096, 65_536, 100_003, 333];
            for (var i = 0; ; i++)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, readSizes[i % readSizes.Length]));
                if (read == 0)
                {
                    return result.ToArray();
                }

                result.Write(buffer, 0, read);
            }
        }
    }

    protected async Task<byte[]> ReadStoredAsync(BlobLocation location, long offset = 0, long? length = null) =>
        await ReadAllAsync(await Store.OpenReadAsync(location, offset, length, None));

    protected async Task<BlobLocation> StoreAsync(byte[] content) =>
        await Store.PutAsync(Sha256Of(content), content, None);

    /// <summary>A location the store handed out once, whose content is gone again.</summary>
    protected async Task<BlobLocation> DeletedLocationAsync()
    {
        var location = await StoreAsync(RandomBytes(10));
        await Store.DeleteAsync(location, None);
        return location;
    }

    protected static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);

        // Comparing hashes keeps a failure message of megabytes readable.
        Assert.Equal(Convert.ToHexString(SHA256.HashData(expected)), Convert.ToHexString(SHA256.HashData(actual)));
    }
}
