using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansRegistry.Storage.Journal;

/// <summary>
/// How journal records are laid out by every provider: a 4-byte little-endian payload length, the
/// first 8 bytes of the payload's SHA-256, then the payload. A record cut short by a crash, or one
/// whose checksum fails, ends the journal: what follows it was never acknowledged.
/// </summary>
internal static class JournalFraming
{
    public const int HeaderLength = 12;

    /// <summary>The largest payload: what fits one Azure append block (4 MiB) with its header.</summary>
    public const int MaxRecordLength = 4 * 1024 * 1024 - HeaderLength;

    private const int ChecksumLength = 8;

    public static byte[] Frame(ReadOnlySpan<byte> record)
    {
        if (record.Length is 0 or > MaxRecordLength)
        {
            throw new ArgumentException($"a journal record holds 1 to {MaxRecordLength} bytes, not {record.Length}", nameof(record));
        }

        var framed = new byte[HeaderLength + record.Length];
        BinaryPrimitives.WriteInt32LittleEndian(framed, record.Length);
        Checksum(record, framed.AsSpan(4, ChecksumLength));
        record.CopyTo(framed.AsSpan(HeaderLength));
        return framed;
    }

    /// <summary>The intact records at the start of <paramref name="bytes"/>, and where they end.</summary>
    public static UploadJournal Parse(ReadOnlySpan<byte> bytes)
    {
        var records = new List<byte[]>();
        var position = 0;
        Span<byte> checksum = stackalloc byte[ChecksumLength];
        while (bytes.Length - position >= HeaderLength)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes[position..]);
            if (length is <= 0 or > MaxRecordLength || length > bytes.Length - position - HeaderLength)
            {
                break;
            }

            var payload = bytes.Slice(position + HeaderLength, length);
            Checksum(payload, checksum);
            if (!checksum.SequenceEqual(bytes.Slice(position + 4, ChecksumLength)))
            {
                break;
            }

            records.Add(payload.ToArray());
            position += HeaderLength + length;
        }

        return new UploadJournal(records, position);
    }

    private static void Checksum(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(payload, hash);
        hash[..ChecksumLength].CopyTo(destination);
    }
}
