using System.Net;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Health;

/// <summary>The Orleans dashboard: off by default, for admins only with token auth, refused without auth unless allowed.</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task Off_by_default_the_dashboard_is_not_found()
    {
        await using var server = await StartAsync([]);
        using var client = server.CreateClient();
        using var response = await client.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Enabled_without_auth_the_dashboard_is_refused_unless_anonymous_access_is_allowed()
    {
        await using (var server = await StartAsync(new() { ["Registry:Dashboard:Enabled"] = "true" }))
        {
            using var client = server.CreateClient();
            using var response = await client.GetAsync("/dashboard/");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using (var server = await StartAsync(new() { ["Registry:Dashboard:Enabled"] = "true", ["Registry:Dashboard:AllowAnonymous"] = "true" }))
        {
            using var client = server.CreateClient();
            using var response = await client.GetAsync("/dashboard/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Enabled_with_token_auth_the_dashboard_is_for_admins_only()
    {
        var configPath = Path.Combine(Path.GetTempPath(), $"orleans-registry-auth-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(configPath, AuthServer.Config);
        try
        {
            await using var server = await StartAsync(new()
            {
                ["Registry:Auth:ConfigPath"] = configPath,
                ["Registry:Auth:BcryptCost"] = "4",
                ["Registry:Dashboard:Enabled"] = "true",
            });
            using var client = server.CreateClient();

            using (var anonymous = await client.GetAsync("/dashboard/"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
                Assert.StartsWith("Basic ", anonymous.Headers.WwwAuthenticate.ToString());
            }

            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(client, "/dashboard/", "root", "wrong-pass"));
            Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(client, "/dashboard/", "alice", "alice-pass"));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "/dashboard/", "root", "root-pass"));

            // Everything under the path is guarded, not only the page.
            Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(client, "/dashboard/DashboardCounters", "alice", "alice-pass"));
        }
        finally
        {
            File.Delete(configPath);
        }
    }

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string path, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = AuthClient.Basic(user, password);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<Started> StartAsync(Dictionary<string, string> settings)
    {
        var server = RegistryServer.With(settings);
        await server.InitializeAsync();
        return new Started(server);
    }

    private sealed class Started(RegistryServer server) : IAsyncDisposable
    {
        public HttpClient CreateClient() => server.CreateClient();

        public async ValueTask DisposeAsync() => await server.DisposeAsync();
    }
}
