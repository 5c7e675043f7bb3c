using System.Security.Cryptography;
using System.Text;

namespace OrleansRegistry.Contracts.Cluster;

/// <summary>
/// The short, opaque name of one silo incarnation that upload URLs carry (<c>?home=</c>) so the edge
/// can send an upload's chunks to the silo hosting its session. Derived from the silo address with
/// its generation, so a restarted silo gets a new name and an old URL's hint simply matches nothing;
/// a hint is only ever a preference: any silo can take any chunk.
/// </summary>
public static class SiloHint
{
    /// <summary>The query parameter of upload URLs that carries the hint.</summary>
    public const string QueryParameter = "home";

    /// <summary>16 hex digits of SHA-256 of <paramref name="siloAddress"/> (<c>SiloAddress.ToParsableString()</c>).</summary>
    public static string Of(string siloAddress)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(siloAddress), hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
