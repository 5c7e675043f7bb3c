using System.Buffers.Binary;
using System.Text;

namespace OrleansRegistry.Grains.Persistence;

/// <summary>
/// The on-disk format of one state file (all integers little-endian):
/// <code>
/// "ORST"            4 bytes magic
/// version           1 byte  (1)
/// etag length       1 byte  (N, 1..255)
/// etag              N bytes ASCII
/// description len   4 bytes (D)
/// description       D bytes UTF-8: "&lt;grain id&gt;\n&lt;state name&gt;" (for humans and tools only)
/// payload length    8 bytes (L)
/// payload           L bytes, the serialized state
/// </code>
/// A file whose length differs from what its header announces is rejected as corrupt.
/// </summary>
internal static class StateFile
{
    private static ReadOnlySpan<byte> Magic => "ORST"u8;
    private const byte Version = 1;
    private const int MaxDescriptionBytes = 1 << 20;

    /// <summary>A state file's contents.</summary>
    public readonly record struct Contents(string ETag, ReadOnlyMemory<byte> Payload);

    /// <summary>Encodes a complete file.</summary>
    public static byte[] Encode(string etag, string description, ReadOnlySpan<byte> payload)
    {
        var etagBytes = Encoding.ASCII.GetBytes(etag);
        if (etagBytes.Length is 0 or > byte.MaxValue)
        {
            throw new ArgumentException("etag must be 1 to 255 ASCII characters", nameof(etag));
        }

        var descriptionBytes = Encoding.UTF8.GetBytes(description);
        if (descriptionBytes.Length > MaxDescriptionBytes)
        {
            descriptionBytes = descriptionBytes.AsSpan(0, MaxDescriptionBytes).ToArray();
        }

        var buffer = new byte[4 + 1 + 1 + etagBytes.Length + 4 + descriptionBytes.Length + 8 + payload.Length];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        span[4] = Version;
        span[5] = (byte)etagBytes.Length;
        etagBytes.CopyTo(span[6..]);
        span = span[(6 + etagBytes.Length)..];
        BinaryPrimitives.WriteInt32LittleEndian(span, descriptionBytes.Length);
        descriptionBytes.CopyTo(span[4..]);
        span = span[(4 + descriptionBytes.Length)..];
        BinaryPrimitives.WriteInt64LittleEndian(span, payload.Length);
        payload.CopyTo(span[8..]);
        return buffer;
    }

    /// <summary>Reads and validates a whole file; <see langword="null"/> if it does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid state file.</exception>
    public static async Task<Contents?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            // FileShare.Delete: a concurrent rename over, or delete of, this path must not fail.
            await using var stream = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
            bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return Decode(bytes, path);
    }

    /// <summary>Reads only the etag; <see langword="null"/> if the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid state file.</exception>
    public static string? ReadETag(string path)
    {
        try
        {
            using var stream = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            Span<byte> header = stackalloc byte[6 + byte.MaxValue];
            var read = stream.ReadAtLeast(header, 6, throwOnEndOfStream: false);
            header = header[..read];
            if (read < 6 || !header[..4].SequenceEqual(Magic) || header[4] != Version || header[5] == 0 || read < 6 + header[5])
            {
                throw Corrupt(path, "bad header");
            }

            return Encoding.ASCII.GetString(header.Slice(6, header[5]));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static Contents Decode(byte[] bytes, string path)
    {
        var span = bytes.AsSpan();
        if (span.Length < 6 || !span[..4].SequenceEqual(Magic))
        {
            throw Corrupt(path, "bad magic");
        }

        if (span[4] != Version)
        {
            throw Corrupt(path, $"unknown format version {span[4]}");
        }

        var etagLength = span[5];
        var offset = 6;
        if (etagLength == 0 || span.Length < offset + etagLength + 4)
        {
            throw Corrupt(path, "truncated etag");
        }

        var etag = Encoding.ASCII.GetString(span.Slice(offset, etagLength));
        offset += etagLength;

        var descriptionLength = BinaryPrimitives.ReadInt32LittleEndian(span[offset..]);
        offset += 4;
        if (descriptionLength < 0 || descriptionLength > MaxDescriptionBytes || span.Length < (long)offset + descriptionLength + 8)
        {
            throw Corrupt(path, "truncated description");
        }

        offset += descriptionLength;
        var payloadLength = BinaryPrimitives.ReadInt64LittleEndian(span[offset..]);
        offset += 8;
        if (payloadLength != span.Length - offset)
        {
            throw Corrupt(path, $"payload length {payloadLength} does not match the {span.Length - offset} bytes present");
        }

        return new Contents(etag, bytes.AsMemory(offset));
    }

    private static InvalidDataException Corrupt(string path, string reason) =>
        new($"'{path}' is not a valid grain state file: {reason}");
}
