using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansRegistry.Core.Digests;

/// <summary>
/// The portable export format of a <see cref="ResumableHash"/>, independent of OpenSSL's
/// struct layout and of the machine's endianness:
/// <code>
/// "RHS" | version (1) | algorithm (1 = sha256, 2 = sha512) | bytes hashed (int64 LE)
///       | h[0..7] (LE words) | buffered bytes (bytes hashed mod block size)
///       | check (first 8 bytes of SHA-256 over everything before it)
/// </code>
/// The check turns a corrupted or foreign blob into an ArgumentException instead of a
/// silently wrong digest.
/// </summary>
internal static class ResumableHashState
{
    private const byte Version = 1;
    private const int HeaderSize = 3 + 1 + 1 + 8;
    private const int CheckSize = 8;
    private static ReadOnlySpan<byte> Magic => "RHS"u8;

    public static byte[] Export(Sha2ContextLayout layout, ReadOnlySpan<byte> context)
    {
        var bytesHashed = BytesHashed(layout, context);
        var buffered = layout.ReadNum(context);
        var state = new byte[HeaderSize + layout.StateSize + buffered + CheckSize];
        var span = state.AsSpan();
        Magic.CopyTo(span);
        span[3] = Version;
        span[4] = AlgorithmId(layout.Algorithm);
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], bytesHashed);
        var words = span.Slice(HeaderSize, layout.StateSize);
        for (var i = 0; i < layout.StateSize; i += layout.WordSize)
        {
            if (layout.WordSize == 4)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(words[i..], BitConverter.ToUInt32(context[i..]));
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(words[i..], BitConverter.ToUInt64(context[i..]));
            }
        }

        layout.Buffer(context)[..buffered].CopyTo(span[(HeaderSize + layout.StateSize)..]);
        var body = span[..^CheckSize];
        Check(body, span[^CheckSize..]);
        return state;
    }

    /// <summary>Fills <paramref name="context"/> from an exported state, or throws ArgumentException.</summary>
    public static void Import(Sha2ContextLayout layout, ReadOnlySpan<byte> state, Span<byte> context)
    {
        if (state.Length < HeaderSize + layout.StateSize + CheckSize || !state.StartsWith(Magic))
        {
            throw Invalid("not a resumable hash state");
        }

        if (state[3] != Version)
        {
            throw Invalid($"unsupported resumable hash state version {state[3]}");
        }

        if (state[4] != AlgorithmId(layout.Algorithm))
        {
            throw Invalid($"state is not for {layout.Algorithm.Name()}");
        }

        var bytesHashed = BinaryPrimitives.ReadInt64LittleEndian(state[5..]);
        if (bytesHashed < 0)
        {
            throw Invalid("negative length");
        }

        var buffered = (int)(bytesHashed % layout.BlockSize);
        if (state.Length != HeaderSize + layout.StateSize + buffered + CheckSize)
        {
            throw Invalid("state length does not match its content");
        }

        Span<byte> expected = stackalloc byte[CheckSize];
        Check(state[..^CheckSize], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, state[^CheckSize..]))
        {
            throw Invalid("state is corrupt (check mismatch)");
        }

        context[..layout.ContextSize].Clear();
        var words = state.Slice(HeaderSize, layout.StateSize);
        for (var i = 0; i < layout.StateSize; i += layout.WordSize)
        {
            if (layout.WordSize == 4)
            {
                BitConverter.TryWriteBytes(context[i..], BinaryPrimitives.ReadUInt32LittleEndian(words[i..]));
            }
            else
            {
                BitConverter.TryWriteBytes(context[i..], BinaryPrimitives.ReadUInt64LittleEndian(words[i..]));
            }
        }

        layout.WriteBitCount(context, (UInt128)(ulong)bytesHashed << 3);
        state.Slice(HeaderSize + layout.StateSize, buffered).CopyTo(layout.Buffer(context));
        layout.WriteNum(context, buffered);
        layout.WriteMdLen(context);
    }

    /// <summary>The algorithm a state was exported for, or null when it is not a state.</summary>
    public static DigestAlgorithm? PeekAlgorithm(ReadOnlySpan<byte> state) =>
        state.Length > 4 && state.StartsWith(Magic)
            ? state[4] switch
            {
                1 => DigestAlgorithm.Sha256,
                2 => DigestAlgorithm.Sha512,
                _ => null,
            }
            : null;

    public static long BytesHashed(Sha2ContextLayout layout, ReadOnlySpan<byte> context)
    {
        var bytes = layout.ReadBitCount(context) >> 3;
        return bytes > long.MaxValue ? throw new InvalidOperationException("hash length overflow") : (long)bytes;
    }

    private static byte AlgorithmId(DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha256 ? (byte)1 : (byte)2;

    private static void Check(ReadOnlySpan<byte> body, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        hash[..CheckSize].CopyTo(destination);
    }

    private static ArgumentException Invalid(string message) => new(message, "state");
}
