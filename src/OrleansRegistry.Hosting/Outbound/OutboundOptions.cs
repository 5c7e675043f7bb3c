namespace OrleansRegistry.Hosting.Outbound;

/// <summary>
/// The <c>Registry:Outbound</c> section: where features that call out (webhooks; replication, proxies
/// and scanners later) may connect. Loopback, link-local (cloud metadata endpoints such as
/// 169.254.169.254 among them) and unspecified addresses are refused unless a network listed in
/// <see cref="AllowedNetworks"/> contains them. Checked when a target is registered and again at every
/// connect, on the address actually connected to (a name that resolves elsewhere later is caught).
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Registry:Outbound";

    /// <summary>CIDR networks allowed although refused by default (<c>127.0.0.0/8</c> for a receiver on the same host). Default none.</summary>
    public List<string> AllowedNetworks { get; set; } = [];
}
