namespace OrleansRegistry.Core.Digests;

/// <summary>
/// Byte layout of OpenSSL's SHA256_CTX / SHA512_CTX. The running state of a
/// <see cref="ResumableHash"/> is kept in exactly this layout (native-endian words) so the
/// OpenSSL functions can work on it in place and the managed fallback can too.
/// <code>
/// SHA256_CTX (112): uint h[8] | uint Nl, Nh | byte data[64]  | uint num | uint md_len
/// SHA512_CTX (216): ulong h[8] | ulong Nl, Nh | byte data[128] | uint num | uint md_len
/// </code>
/// Nl/Nh is the message length in bits (low, high); num is how many bytes of data are buffered.
/// </summary>
internal sealed class Sha2ContextLayout
{
    public static readonly Sha2ContextLayout Sha256 = new(DigestAlgorithm.Sha256, wordSize: 4);
    public static readonly Sha2ContextLayout Sha512 = new(DigestAlgorithm.Sha512, wordSize: 8);

    private Sha2ContextLayout(DigestAlgorithm algorithm, int wordSize)
    {
        Algorithm = algorithm;
        WordSize = wordSize;
        StateSize = 8 * wordSize;
        BitCountLowOffset = StateSize;
        BitCountHighOffset = StateSize + wordSize;
        BufferOffset = StateSize + (2 * wordSize);
        BlockSize = 16 * wordSize;
        NumOffset = BufferOffset + BlockSize;
        MdLenOffset = NumOffset + 4;
        ContextSize = MdLenOffset + 4;
        DigestSize = StateSize;
    }

    public DigestAlgorithm Algorithm { get; }

    /// <summary>4 for SHA-256 (32-bit words), 8 for SHA-512.</summary>
    public int WordSize { get; }

    /// <summary>Bytes of the chaining value h[0..7] at offset 0.</summary>
    public int StateSize { get; }

    public int BitCountLowOffset { get; }

    public int BitCountHighOffset { get; }

    public int BufferOffset { get; }

    public int BlockSize { get; }

    public int NumOffset { get; }

    public int MdLenOffset { get; }

    public int ContextSize { get; }

    public int DigestSize { get; }

    public static Sha2ContextLayout For(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => Sha256,
        DigestAlgorithm.Sha512 => Sha512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}
