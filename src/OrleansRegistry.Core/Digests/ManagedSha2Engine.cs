using System.Buffers.Binary;

namespace OrleansRegistry.Core.Digests;

/// <summary>
/// Portable SHA-256/512 over the OpenSSL context layout; used when libcrypto cannot be
/// loaded. Mirrors OpenSSL's buffering (including zeroing the buffer after it is
/// consumed) so both produce the same context bytes.
/// </summary>
internal sealed class ManagedSha2Engine : ISha2Engine
{
    public static readonly ManagedSha2Engine Sha256 = new(Sha2ContextLayout.Sha256);
    public static readonly ManagedSha2Engine Sha512 = new(Sha2ContextLayout.Sha512);

    private ManagedSha2Engine(Sha2ContextLayout layout) => Layout = layout;

    public Sha2ContextLayout Layout { get; }

    public static ManagedSha2Engine For(DigestAlgorithm algorithm) =>
        algorithm == DigestAlgorithm.Sha256 ? Sha256 : Sha512;

    public void Init(Span<byte> context)
    {
        context[..Layout.ContextSize].Clear();
        if (Layout.WordSize == 4)
        {
            Sha256Block.WriteInitialState(context);
        }
        else
        {
            Sha512Block.WriteInitialState(context);
        }

        Layout.WriteMdLen(context);
    }

    public void Update(Span<byte> context, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        Layout.WriteBitCount(context, Layout.ReadBitCount(context) + ((UInt128)(ulong)data.Length << 3));
        var buffer = Layout.Buffer(context);
        var num = Layout.ReadNum(context);
        if (num != 0)
        {
            var missing = Layout.BlockSize - num;
            if (data.Length < missing)
            {
                data.CopyTo(buffer[num..]);
                Layout.WriteNum(context, num + data.Length);
                return;
            }

            data[..missing].CopyTo(buffer[num..]);
            Compress(context, buffer);
            buffer.Clear();
            data = data[missing..];
        }

        var whole = data.Length - (data.Length % Layout.BlockSize);
        if (whole > 0)
        {
            Compress(context, data[..whole]);
            data = data[whole..];
        }

        data.CopyTo(buffer);
        Layout.WriteNum(context, data.Length);
    }

    public void Final(Span<byte> context, Span<byte> hash)
    {
        var buffer = Layout.Buffer(context);
        var num = Layout.ReadNum(context);
        var bits = Layout.ReadBitCount(context);
        var lengthFieldSize = 2 * Layout.WordSize;

        buffer[num++] = 0x80;
        if (num > Layout.BlockSize - lengthFieldSize)
        {
            buffer[num..].Clear();
            Compress(context, buffer);
            num = 0;
        }

        buffer[num..].Clear();
        var lengthField = buffer[(Layout.BlockSize - lengthFieldSize)..];
        if (Layout.WordSize == 4)
        {
            BinaryPrimitives.WriteUInt64BigEndian(lengthField, (ulong)bits);
        }
        else
        {
            BinaryPrimitives.WriteUInt128BigEndian(lengthField, bits);
        }

        Compress(context, buffer);
        if (Layout.WordSize == 4)
        {
            Sha256Block.WriteDigest(context, hash);
        }
        else
        {
            Sha512Block.WriteDigest(context, hash);
        }

        context[..Layout.ContextSize].Clear();
    }

    private void Compress(Span<byte> context, ReadOnlySpan<byte> blocks)
    {
        if (Layout.WordSize == 4)
        {
            Sha256Block.Compress(context, blocks);
        }
        else
        {
            Sha512Block.Compress(context, blocks);
        }
    }
}
