using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace OrleansRegistry.Core.Digests;

/// <summary>
/// A content digest <c>algorithm:hex</c>, parsed strictly: only sha256 and sha512, only
/// lower-case hex of exactly the algorithm's length. Anything else is DIGEST_INVALID.
/// </summary>
public readonly record struct Digest
{
    private Digest(DigestAlgorithm algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public DigestAlgorithm Algorithm { get; }

    /// <summary>Lower-case hex of the hash value.</summary>
    public string Hex { get; }

    public override string ToString() => Hex is null ? "" : $"{Algorithm.Name()}:{Hex}";

    public static Digest Parse(string value) =>
        TryParse(value, out var digest) ? digest : throw new FormatException($"invalid digest '{value}'");

    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest)
    {
        digest = default;
        if (value is null)
        {
            return false;
        }

        var colon = value.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        DigestAlgorithm algorithm;
        var name = value.AsSpan(0, colon);
        if (name.SequenceEqual("sha256"))
        {
            algorithm = DigestAlgorithm.Sha256;
        }
        else if (name.SequenceEqual("sha512"))
        {
            algorithm = DigestAlgorithm.Sha512;
        }
        else
        {
            return false;
        }

        var hex = value.AsSpan(colon + 1);
        if (hex.Length != algorithm.HexLength())
        {
            return false;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        digest = new Digest(algorithm, hex.ToString());
        return true;
    }

    /// <summary>
    /// Parses UTF-8 <c>algorithm:hex</c> with the same strict rules as <see cref="TryParse(string?, out Digest)"/>,
    /// allocating only the hex string (manifest parsing reads thousands of these).
    /// </summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> value, out Digest digest)
    {
        digest = default;
        DigestAlgorithm algorithm;
        if (value.StartsWith("sha256:"u8))
        {
            algorithm = DigestAlgorithm.Sha256;
        }
        else if (value.StartsWith("sha512:"u8))
        {
            algorithm = DigestAlgorithm.Sha512;
        }
        else
        {
            return false;
        }

        var hex = value["sha256:"u8.Length..];
        if (hex.Length != algorithm.HexLength())
        {
            return false;
        }

        foreach (var b in hex)
        {
            if (b is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }
        }

        digest = new Digest(algorithm, System.Text.Encoding.ASCII.GetString(hex));
        return true;
    }

    /// <summary>The digest of the given bytes (one shot; for manifests and other small content).</summary>
    public static Digest Compute(DigestAlgorithm algorithm, ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[64];
        var written = algorithm switch
        {
            DigestAlgorithm.Sha256 => SHA256.HashData(content, hash),
            DigestAlgorithm.Sha512 => SHA512.HashData(content, hash),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return FromHash(algorithm, hash[..written]);
    }

    public static Digest FromHash(DigestAlgorithm algorithm, ReadOnlySpan<byte> hash)
    {
        if (hash.Length * 2 != algorithm.HexLength())
        {
            throw new ArgumentException("hash length does not match the algorithm", nameof(hash));
        }

        return new Digest(algorithm, Convert.ToHexStringLower(hash));
    }
}
