using System.Net;
using System.Net.Sockets;

namespace OrleansRegistry.Hosting.Outbound;

/// <summary>
/// Decides which addresses outbound calls may reach (<see cref="OutboundOptions"/>), and makes HTTP
/// handlers that enforce it at connect time: the name is resolved here and only an allowed address
/// is connected to, so DNS rebinding cannot lead a call to loopback or a metadata endpoint.
/// </summary>
public sealed class OutboundPolicy
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("0.0.0.0/32"),
        IPNetwork.Parse("::1/128"),
        IPNetwork.Parse("fe80::/10"),
        IPNetwork.Parse("::/128"),
    ];

    private readonly IPNetwork[] _allowed;

    public OutboundPolicy(OutboundOptions options)
    {
        _allowed = [.. options.AllowedNetworks.Select(n => IPNetwork.TryParse(n, out var network)
            ? network
            : throw new ArgumentException($"Registry:Outbound:AllowedNetworks: '{n}' is not a CIDR network"))];
    }

    public bool Allows(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return _allowed.Any(n => n.Contains(address)) || !Refused.Any(n => n.Contains(address));
    }

    /// <summary>Why <paramref name="url"/> may not be called (null when it may): its scheme, or an address it names or resolves to.</summary>
    public async Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken)
    {
        if (url.Scheme is not ("http" or "https"))
        {
            return "only http and https URLs";
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(url.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(url.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            // Not resolvable now; every connect is checked again.
            return null;
        }

        var refused = addresses.FirstOrDefault(a => !Allows(a));
        return refused is null ? null : $"{url.Host} is {refused}, which Registry:Outbound:AllowedNetworks does not allow";
    }

    /// <summary>A handler whose connections go only to allowed addresses.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = addresses.Where(Allows).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException($"outbound policy: {host} ({string.Join(", ", addresses.Select(a => a.ToString()))}) is not an allowed address");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
