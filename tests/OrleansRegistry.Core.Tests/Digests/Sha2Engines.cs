using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Core.Tests.Digests;

/// <summary>Lets theories pick an engine by name (the engine types are internal).</summary>
internal static class Sha2Engines
{
    public static ISha2Engine Get(string kind, DigestAlgorithm algorithm) => kind switch
    {
        "native" => OpenSslSha2Engine.For(algorithm) ?? throw new InvalidOperationException("libcrypto not loaded"),
        "managed" => ManagedSha2Engine.For(algorithm),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static byte[] Reference(DigestAlgorithm algorithm, ReadOnlySpan<byte> data) =>
        algorithm == DigestAlgorithm.Sha256
            ? System.Security.Cryptography.SHA256.HashData(data)
            : System.Security.Cryptography.SHA512.HashData(data);

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
