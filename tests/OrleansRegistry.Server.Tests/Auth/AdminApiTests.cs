using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Auth;

/// <summary>The admin API under /api/v1: CRUD of users, namespaces, grants and robots; only admins.</summary>
public sealed class AdminApiTests(AuthServer fixture) : IClassFixture<AuthServer>
{
    private RegistryServer Server => fixture.Server;

    private HttpClient As(string user, string password)
    {
        var client = Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = AuthClient.Basic(user, password);
        return client;
    }

    [Fact]
    public async Task Non_admins_are_denied_and_anonymous_callers_challenged()
    {
        using var bob = As("bob", "bob-pass");
        using var denied = await bob.GetAsync("/api/v1/users");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("DENIED", await denied.ErrorCodeAsync());

        using var bobToken = await Server.AsAsync("bob", "bob-pass");
        using var deniedToken = await bobToken.PutAsJsonAsync("/api/v1/namespaces/bob/*", new { visibility = "public" });
        Assert.Equal(HttpStatusCode.Forbidden, deniedToken.StatusCode);

        using var anonymous = Server.CreateClient();
        using var challenged = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        Assert.Equal("UNAUTHORIZED", await challenged.ErrorCodeAsync());

        using var wrong = As("root", "wrong");
        using var wrongPassword = await wrong.GetAsync("/api/v1/users");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
    }

    [Fact]
    public async Task An_admin_token_works_as_well_as_basic_credentials()
    {
        using var root = await Server.AsAsync("root", "root-pass");
        using var response = await root.GetAsync("/api/v1/users");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Create_a_namespace_grant_and_revoke_then_the_next_token_loses_access()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var ns = $"proj{id}/*";
        var repo = $"proj{id}/app";
        var user = $"dave{id}";
        using var root = As("root", "root-pass");

        using (var created = await root.PutAsJsonAsync($"/api/v1/namespaces/{ns}", new { visibility = "private" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var created = await root.PutAsJsonAsync($"/api/v1/users/{user}", new { password = "dave-pass" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var granted = await root.PutAsJsonAsync("/api/v1/grants", new { @namespace = ns, subject = user, roles = new[] { "push" } }))
        {
            Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        }

        using (var list = await root.GetAsync("/api/v1/namespaces"))
        {
            using var json = await list.ReadJsonAsync();
            var entry = json.RootElement.EnumerateArray().Single(n => n.GetProperty("name").GetString() == ns);
            Assert.Equal("private", entry.GetProperty("visibility").GetString());
            Assert.Equal(["push"], entry.GetProperty("grants").GetProperty(user).EnumerateArray().Select(r => r.GetString()));
            Assert.Equal("api", entry.GetProperty("source").GetString());
        }

        using var anonymous = Server.CreateClient();
        var refresh = (await anonymous.TokenResponseAsync(user, "dave-pass", "&offline_token=true&client_id=test")).GetProperty("refresh_token").GetString()!;
        using (var dave = await Server.AsAsync(user, "dave-pass", $"repository:{repo}:pull,push"))
        {
            await dave.PushImageAsync(repo, "v1");
        }

        // Revoke: the next token (fresh login or refresh) carries nothing for the namespace.
        using (var revoked = await root.DeleteAsync($"/api/v1/grants?namespace={Uri.EscapeDataString(ns)}&subject={user}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        Assert.Empty(AuthClient.Access(await anonymous.TokenAsync(user, "dave-pass", $"repository:{repo}:pull,push")));
        Assert.Empty(AuthClient.Access(await RefreshAsync(anonymous, refresh, $"repository:{repo}:pull")));

        // Public: anonymous may pull now.
        using (var updated = await root.PutAsJsonAsync($"/api/v1/namespaces/{ns}", new { visibility = "public" }))
        {
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        }

        Assert.Equal([$"repository:{repo}:pull"], AuthClient.Access(await anonymous.TokenAsync(null, null, $"repository:{repo}:pull")));

        // A password change ends the refresh token; a deleted user cannot log in.
        using (var changed = await root.PutAsJsonAsync($"/api/v1/users/{user}", new { password = "new-pass" }))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        using (var stale = await RefreshResponseAsync(anonymous, refresh, $"repository:{repo}:pull"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }

        using (var deleted = await root.DeleteAsync($"/api/v1/users/{user}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await root.DeleteAsync($"/api/v1/users/{user}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using (var login = new HttpRequestMessage(HttpMethod.Get, "/token?service=orleans-registry"))
        {
            login.Headers.Authorization = AuthClient.Basic(user, "new-pass");
            using var response = await anonymous.SendAsync(login);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var removed = await root.DeleteAsync($"/api/v1/namespaces/{ns}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.Empty(AuthClient.Access(await anonymous.TokenAsync(null, null, $"repository:{repo}:pull")));
    }

    [Fact]
    public async Task Bad_input_is_400_and_unknown_things_404()
    {
        using var root = As("root", "root-pass");
        using (var badName = await root.PutAsJsonAsync("/api/v1/namespaces/BAD NAME/*", new { visibility = "public" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        }

        using (var badVisibility = await root.PutAsJsonAsync("/api/v1/namespaces/ok/*", new { visibility = "secret" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badVisibility.StatusCode);
        }

        using (var badRole = await root.PutAsJsonAsync("/api/v1/grants", new { @namespace = "team/*", subject = "bob", roles = new[] { "own" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        }

        using (var noNamespace = await root.PutAsJsonAsync("/api/v1/grants", new { @namespace = "nowhere/*", subject = "bob", roles = new[] { "pull" } }))
        {
            Assert.Equal(HttpStatusCode.NotFound, noNamespace.StatusCode);
        }

        using (var noPassword = await root.PutAsJsonAsync("/api/v1/users/newbie", new { admin = false }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noPassword.StatusCode);
        }

        using (var noBody = await root.PutAsync("/api/v1/users/newbie", new StringContent("not json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        }
    }

    [Fact]
    public async Task Robot_accounts_push_with_their_secret_until_they_expire()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        using var root = As("root", "root-pass");
        using var created = await root.PostAsJsonAsync("/api/v1/robots", new
        {
            name = $"ci{id}",
            expiresIn = "01:00:00",
            description = "CI pipeline",
            grants = new[] { new { @namespace = "team/*", subject = (string?)null, roles = new[] { "push" } } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var body = await created.ReadJsonAsync();
        var name = body.RootElement.GetProperty("name").GetString()!;
        var secret = body.RootElement.GetProperty("secret").GetString()!;
        Assert.Equal($"robot$ci{id}", name);
        Assert.True(secret.Length >= 40);

        var repo = $"team/robot{id}";
        using (var robot = await Server.AsAsync(name, secret, $"repository:{repo}:pull,push"))
        {
            await robot.PushImageAsync(repo, "v1");
        }

        using var anonymous = Server.CreateClient();
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/token?service=orleans-registry"))
        {
            wrong.Headers.Authorization = AuthClient.Basic(name, secret + "x");
            using var response = await anonymous.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // An expired robot cannot log in.
        using var expired = await root.PostAsJsonAsync("/api/v1/robots", new { name = $"old{id}", expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        using var expiredBody = await expired.ReadJsonAsync();
        using (var login = new HttpRequestMessage(HttpMethod.Get, "/token?service=orleans-registry"))
        {
            login.Headers.Authorization = AuthClient.Basic(expiredBody.RootElement.GetProperty("name").GetString()!,
                expiredBody.RootElement.GetProperty("secret").GetString()!);
            using var response = await anonymous.SendAsync(login);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using (var list = await root.GetAsync("/api/v1/robots"))
        {
            using var json = await list.ReadJsonAsync();
            Assert.Contains(json.RootElement.EnumerateArray(), r => r.GetProperty("name").GetString() == name
                && r.GetProperty("description").GetString() == "CI pipeline" && !r.TryGetProperty("secret", out _));
        }

        using (var deleted = await root.DeleteAsync($"/api/v1/robots/{Uri.EscapeDataString(name)}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var login = new HttpRequestMessage(HttpMethod.Get, "/token?service=orleans-registry"))
        {
            login.Headers.Authorization = AuthClient.Basic(name, secret);
            using var response = await anonymous.SendAsync(login);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    public static TheoryData<string, string, string?> MalformedNames()
    {
        var longName = new string('a', 300);
        return new TheoryData<string, string, string?>
        {
            { "PUT", "/api/v1/users/" + longName, """{"password":"x"}""" },
            { "PUT", "/api/v1/users/bad%20name", """{"password":"x"}""" },
            { "DELETE", "/api/v1/users/" + longName, null },
            { "DELETE", "/api/v1/users/.hidden", null },
            { "DELETE", "/api/v1/robots/" + longName, null },
            { "DELETE", "/api/v1/robots/robot$", null },
            { "PUT", "/api/v1/namespaces/Upper/*", """{"visibility":"public"}""" },
            { "PUT", "/api/v1/namespaces/" + string.Join('/', Enumerable.Repeat(longName[..60], 5)), """{"visibility":"public"}""" },
            { "DELETE", "/api/v1/namespaces/a___b/*", null },
            { "PUT", "/api/v1/grants", """{"namespace":"team/*","subject":"bad name","roles":["pull"]}""" },
            { "PUT", "/api/v1/grants", """{"namespace":"Team/*","subject":"bob","roles":["pull"]}""" },
            { "DELETE", "/api/v1/grants?namespace=team/*&subject=" + longName, null },
            { "DELETE", "/api/v1/grants?namespace=--&subject=bob", null },
            { "POST", "/api/v1/robots", """{"name":"robot$"}""" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public async Task Malformed_names_and_patterns_are_400_before_the_directory_is_asked(string method, string path, string? body)
    {
        using var root = As("root", "root-pass");
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await root.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid", (await response.Content.ReadAsStringAsync()).ToLowerInvariant());
    }

    private static async Task<HttpResponseMessage> RefreshResponseAsync(HttpClient client, string refresh, string scope) =>
        await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["service"] = "orleans-registry", ["scope"] = scope,
        }));

    private static async Task<string> RefreshAsync(HttpClient client, string refresh, string scope)
    {
        using var response = await RefreshResponseAsync(client, refresh, scope);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        return json.RootElement.GetProperty("access_token").GetString()!;
    }
}
