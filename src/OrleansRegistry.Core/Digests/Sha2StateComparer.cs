namespace OrleansRegistry.Core.Digests;

/// <summary>
/// Compares two contexts by what matters: h, bit count, num, md_len and the buffered bytes.
/// Bytes of the buffer past num are ignored (OpenSSL's SHA-512 leaves stale data there).
/// </summary>
internal static class Sha2StateComparer
{
    public static bool SameState(Sha2ContextLayout layout, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var num = layout.ReadNum(a);
        return num == layout.ReadNum(b)
            && num < layout.BlockSize
            && layout.ReadMdLen(a) == layout.ReadMdLen(b)
            && a[..layout.BufferOffset].SequenceEqual(b[..layout.BufferOffset])
            && layout.Buffer(a)[..num].SequenceEqual(layout.Buffer(b)[..num]);
    }
}
