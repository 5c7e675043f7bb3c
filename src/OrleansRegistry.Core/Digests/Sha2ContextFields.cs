using System.Runtime.InteropServices;

namespace OrleansRegistry.Core.Digests;

/// <summary>Reads and writes the fields of a context in <see cref="Sha2ContextLayout"/> form.</summary>
internal static class Sha2ContextFields
{
    public static int ReadNum(this Sha2ContextLayout layout, ReadOnlySpan<byte> context) =>
        (int)MemoryMarshal.Read<uint>(context[layout.NumOffset..]);

    public static void WriteNum(this Sha2ContextLayout layout, Span<byte> context, int num) =>
        MemoryMarshal.Write(context[layout.NumOffset..], (uint)num);

    public static uint ReadMdLen(this Sha2ContextLayout layout, ReadOnlySpan<byte> context) =>
        MemoryMarshal.Read<uint>(context[layout.MdLenOffset..]);

    public static void WriteMdLen(this Sha2ContextLayout layout, Span<byte> context) =>
        MemoryMarshal.Write(context[layout.MdLenOffset..], (uint)layout.DigestSize);

    /// <summary>The message length in bits, Nh:Nl.</summary>
    public static UInt128 ReadBitCount(this Sha2ContextLayout layout, ReadOnlySpan<byte> context) =>
        layout.WordSize == 4
            ? ((ulong)MemoryMarshal.Read<uint>(context[layout.BitCountHighOffset..]) << 32)
                | MemoryMarshal.Read<uint>(context[layout.BitCountLowOffset..])
            : new UInt128(
                MemoryMarshal.Read<ulong>(context[layout.BitCountHighOffset..]),
                MemoryMarshal.Read<ulong>(context[layout.BitCountLowOffset..]));

    public static void WriteBitCount(this Sha2ContextLayout layout, Span<byte> context, UInt128 bits)
    {
        if (layout.WordSize == 4)
        {
            // SHA-256 counts at most 2^64 bits; anything above wraps exactly like OpenSSL.
            MemoryMarshal.Write(context[layout.BitCountLowOffset..], (uint)bits);
            MemoryMarshal.Write(context[layout.BitCountHighOffset..], (uint)(bits >> 32));
        }
        else
        {
            MemoryMarshal.Write(context[layout.BitCountLowOffset..], (ulong)bits);
            MemoryMarshal.Write(context[layout.BitCountHighOffset..], (ulong)(bits >> 64));
        }
    }

    public static Span<byte> Buffer(this Sha2ContextLayout layout, Span<byte> context) =>
        context.Slice(layout.BufferOffset, layout.BlockSize);

    public static ReadOnlySpan<byte> Buffer(this Sha2ContextLayout layout, ReadOnlySpan<byte> context) =>
        context.Slice(layout.BufferOffset, layout.BlockSize);
}
