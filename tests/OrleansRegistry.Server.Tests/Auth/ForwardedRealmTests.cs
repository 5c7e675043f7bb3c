using System.Net;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Auth;

/// <summary>Behind the edge the realm must be the URL the client used; only trusted proxies may say what that is.</summary>
public sealed class ForwardedRealmTests(AuthServer fixture) : IClassFixture<AuthServer>
{
    [Fact]
    public async Task A_trusted_proxy_sets_the_realm_scheme_and_host()
    {
        // The fixture trusts loopback, the default TrustedProxyNetworks.
        using var client = fixture.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "registry.example.test");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"https://registry.example.test/token\",service=\"orleans-registry\"", response.Challenge());
    }
}

/// <summary>Forwarded headers from an address outside TrustedProxyNetworks are ignored.</summary>
public sealed class UntrustedForwardedHeadersTests : IAsyncLifetime
{
    private readonly string _config = Path.Combine(Path.GetTempPath(), $"orleans-registry-auth-{Guid.NewGuid():N}.json");
    private RegistryServer _server = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_config, AuthServer.Config);
        _server = RegistryServer.With(new Dictionary<string, string>
        {
            ["Registry:Auth:ConfigPath"] = _config,
            ["Registry:Auth:BcryptCost"] = "4",
            ["Registry:TrustedProxyNetworks:0"] = "10.99.0.0/16",
        });
        await _server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        File.Delete(_config);
    }

    [Fact]
    public async Task The_realm_names_the_host_the_request_really_reached()
    {
        using var client = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "attacker.example.test");
        using var response = await client.SendAsync(request);
        Assert.Equal($"Bearer realm=\"http://{_server.BaseAddress.Authority}/token\",service=\"orleans-registry\"", response.Challenge());
    }
}
