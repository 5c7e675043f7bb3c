namespace OrleansRegistry.Core.Digests;

/// <summary>The digest algorithms the registry accepts (OCI image-spec registered algorithms).</summary>
public enum DigestAlgorithm
{
    Sha256,
    Sha512,
}

public static class DigestAlgorithms
{
    public static string Name(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => "sha256",
        DigestAlgorithm.Sha512 => "sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Length of the lower-case hex encoding of the digest value.</summary>
    public static int HexLength(this DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => 64,
        DigestAlgorithm.Sha512 => 128,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}
