namespace OrleansRegistry.Server.Http;

/// <summary>
/// The client address as limits and security logs see it: <c>Connection.RemoteIpAddress</c> after the
/// forwarded-headers middleware (so <c>X-Forwarded-For</c> counts only from
/// <c>Registry:TrustedProxyNetworks</c>), IPv4-mapped addresses as IPv4.
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
