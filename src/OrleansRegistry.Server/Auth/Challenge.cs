namespace OrleansRegistry.Server.Auth;

/// <summary>Writes <c>WWW-Authenticate: Bearer realm="...",service="...",scope="..."[,error="..."]</c>.</summary>
public static class Challenge
{
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";

    /// <summary>
    /// The realm is the token endpoint on the scheme and host this request reached, so a client
    /// behind any name or port finds it.
    /// Behind the edge, scheme and host are the client's: the forwarded-headers middleware applies
    /// X-Forwarded-Proto/Host from <c>Registry:TrustedProxyNetworks</c> before this runs.
    /// </summary>
    public static string Realm(HttpRequest request, AuthOptions options) =>
        $"{request.Scheme}://{request.Host.Value}{options.TokenPath}";

    public static string Bearer(HttpRequest request, AuthOptions options, string? scope, string? error = null)
    {
        var value = $"Bearer realm=\"{Realm(request, options)}\",service=\"{Escape(options.Service)}\"";
        if (scope is not null)
        {
            value += $",scope=\"{Escape(scope)}\"";
        }

        if (error is not null)
        {
            value += $",error=\"{error}\"";
        }

        return value;
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"");
}
