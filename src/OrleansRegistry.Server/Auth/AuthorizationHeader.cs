using System.Diagnostics.CodeAnalysis;
using System.Net.Http.Headers;
using System.Text;

namespace OrleansRegistry.Server.Auth;

/// <summary>The one reader of the <c>Authorization</c> header's two schemes, for every endpoint that takes credentials.</summary>
public static class AuthorizationHeader
{
    /// <summary>HTTP basic credentials (<c>Authorization: Basic base64(name:password)</c>).</summary>
    public static bool TryReadBasic(HttpRequest request, out string name, out string password)
    {
        name = password = "";
        var header = request.Headers.Authorization.ToString();
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        (name, password) = (decoded[..colon], decoded[(colon + 1)..]);
        return true;
    }

    /// <summary>A bearer token (<c>Authorization: Bearer &lt;token&gt;</c>), trimmed.</summary>
    public static bool TryReadBearer(HttpRequest request, [NotNullWhen(true)] out string? token)
    {
        const string Scheme = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        token = header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
        return token is not null;
    }
}
