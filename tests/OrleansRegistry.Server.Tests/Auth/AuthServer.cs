using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Auth;

/// <summary>
/// A server in token mode with a configuration file like examples/auth/auth.json plus an admin
/// (<c>root</c>) and <c>carol</c>, who may push to <c>other/*</c> only.
/// </summary>
public class AuthServer : IAsyncLifetime
{
    public const string Config = """
        {
          "users": [
            { "name": "alice", "password": "alice-pass" },
            { "name": "bob", "password": "bob-pass" },
            { "name": "carol", "password": "carol-pass" },
            { "name": "root", "password": "root-pass", "admin": true }
          ],
          "namespaces": [
            { "name": "team/*", "visibility": "private", "grants": { "alice": ["pull", "push", "delete"], "bob": ["pull"] } },
            { "name": "public/*", "visibility": "public", "grants": { "alice": ["push"] } },
            { "name": "other/*", "visibility": "private", "grants": { "carol": ["push"] } }
          ]
        }
        """;

    private readonly string _configPath = Path.Combine(Path.GetTempPath(), $"orleans-registry-auth-{Guid.NewGuid():N}.json");

    public RegistryServer Server { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_configPath, ConfigurationFile());
        var settings = Settings();
        settings["Registry:Auth:ConfigPath"] = _configPath;
        settings.TryAdd("Registry:Auth:BcryptCost", "4");
        Server = RegistryServer.With(settings, Configure);
        await Server.InitializeAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        File.Delete(_configPath);
    }

    /// <summary>The server's settings besides the file's path (and bcrypt cost 4, unless given).</summary>
    protected virtual Dictionary<string, string> Settings() => new() { ["Registry:Auth:ClockSkew"] = "00:00:05" };

    /// <summary>The auth configuration file's text: <see cref="Config"/> unless a subclass adds to it.</summary>
    protected virtual string ConfigurationFile() => Config;

    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }
}

public static class AuthClient
{
    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>GET /token with basic credentials (or none) and the scopes; returns the parsed body.</summary>
    public static async Task<JsonElement> TokenResponseAsync(this HttpClient client, string? user, string? password, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/token?service=orleans-registry{query}");
        if (user is not null)
        {
            request.Headers.Authorization = Basic(user, password!);
        }

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        return json.RootElement.Clone();
    }

    public static async Task<string> TokenAsync(this HttpClient client, string? user, string? password, params string[] scopes)
    {
        var query = string.Concat(scopes.Select(s => "&scope=" + Uri.EscapeDataString(s)));
        return (await client.TokenResponseAsync(user, password, query)).GetProperty("token").GetString()!;
    }

    /// <summary>A client that sends <paramref name="token"/> as bearer on every request.</summary>
    public static HttpClient WithBearer(this RegistryServer server, string token)
    {
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<HttpClient> AsAsync(this RegistryServer server, string? user, string? password, params string[] scopes)
    {
        using var anonymous = server.CreateClient();
        return server.WithBearer(await anonymous.TokenAsync(user, password, scopes));
    }

    public static string[] Access(string token)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));
        return [.. payload.RootElement.GetProperty("access").EnumerateArray()
            .Select(a => $"{a.GetProperty("type").GetString()}:{a.GetProperty("name").GetString()}:" +
                string.Join(',', a.GetProperty("actions").EnumerateArray().Select(x => x.GetString())))];
    }

    public static string? Challenge(this HttpResponseMessage response) =>
        response.Header("WWW-Authenticate");
}
