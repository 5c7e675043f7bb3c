using OrleansRegistry.Contracts.Uploads;
using System.Text;

namespace OrleansRegistry.Grains.Uploads;

/// <summary>
/// One committed chunk as the upload's journal keeps it (<see cref="Storage.IBlobStore.AppendJournalAsync"/>):
/// where it starts, how long it is, its staged parts, the SHA-256 state after its last byte and
/// when it was committed. A version byte leads, so a later build can read what this one wrote.
/// </summary>
internal sealed record ChunkRecord(long Start, long Length, string[] Parts, byte[] HashState, DateTimeOffset CommittedAt)
{
    private const byte Version = 1;

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(Start);
            writer.Write(Length);
            writer.Write7BitEncodedInt(Parts.Length);
            foreach (var part in Parts)
            {
                writer.Write(part);
            }

            writer.Write7BitEncodedInt(HashState.Length);
            writer.Write(HashState);
            writer.Write(CommittedAt.UtcTicks);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads a record; the journal's checksum vouches for the bytes, so anything unreadable is a newer format.</summary>
    public static ChunkRecord Parse(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var version = reader.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"upload journal record of version {version}; this build reads version {Version}");
        }

        var start = reader.ReadInt64();
        var length = reader.ReadInt64();
        var parts = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = reader.ReadString();
        }

        var hashState = reader.ReadBytes(reader.Read7BitEncodedInt());
        var committedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        return new ChunkRecord(start, length, parts, hashState, committedAt);
    }
}
