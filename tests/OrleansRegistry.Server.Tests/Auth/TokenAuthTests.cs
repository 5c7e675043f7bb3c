using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Auth;

/// <summary>Token authentication over real HTTP: challenges, the token endpoint, scopes per endpoint.</summary>
public sealed class TokenAuthTests(AuthServer fixture) : IClassFixture<AuthServer>
{
    private const string Digest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private RegistryServer Server => fixture.Server;

    private string Realm => $"http://{Server.BaseAddress.Authority}/token";

    [Fact]
    public async Task The_base_endpoint_challenges_with_realm_and_service_and_accepts_any_valid_token()
    {
        using var anonymous = Server.CreateClient();
        using var response = await anonymous.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer realm=\"{Realm}\",service=\"orleans-registry\"", response.Challenge());
        Assert.Equal("UNAUTHORIZED", await response.ErrorCodeAsync());
        Assert.Equal("registry/2.0", response.Header("Docker-Distribution-API-Version"));

        using var withToken = await Server.AsAsync(null, null);
        using var ok = await withToken.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    public static TheoryData<string, string, string> Areas => new()
    {
        { "GET", "/v2/_catalog", "registry:catalog:*" },
        { "GET", "/v2/team/app/tags/list", "repository:team/app:pull" },
        { "GET", "/v2/team/app/manifests/v1", "repository:team/app:pull" },
        { "HEAD", "/v2/team/app/manifests/v1", "repository:team/app:pull" },
        { "PUT", "/v2/team/app/manifests/v1", "repository:team/app:pull,push" },
        { "DELETE", $"/v2/team/app/manifests/{Digest}", "repository:team/app:delete" },
        { "GET", $"/v2/team/app/blobs/{Digest}", "repository:team/app:pull" },
        { "HEAD", $"/v2/team/app/blobs/{Digest}", "repository:team/app:pull" },
        { "DELETE", $"/v2/team/app/blobs/{Digest}", "repository:team/app:delete" },
        { "POST", "/v2/team/app/blobs/uploads/", "repository:team/app:pull,push" },
        { "GET", "/v2/team/app/blobs/uploads/0123", "repository:team/app:pull,push" },
        { "PATCH", "/v2/team/app/blobs/uploads/0123", "repository:team/app:pull,push" },
        { "PUT", $"/v2/team/app/blobs/uploads/0123?digest={Digest}", "repository:team/app:pull,push" },
        { "DELETE", "/v2/team/app/blobs/uploads/0123", "repository:team/app:pull,push" },
        { "GET", $"/v2/team/app/referrers/{Digest}", "repository:team/app:pull" },
    };

    [Theory]
    [MemberData(nameof(Areas))]
    public async Task Every_endpoint_area_challenges_with_its_scope(string method, string path, string scope)
    {
        using var anonymous = Server.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "PUT" or "PATCH" or "POST")
        {
            request.Content = new ByteArrayContent([1, 2, 3]);
        }

        using var response = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer realm=\"{Realm}\",service=\"orleans-registry\",scope=\"{scope}\"", response.Challenge());
        if (method != "HEAD")
        {
            Assert.Equal("UNAUTHORIZED", await response.ErrorCodeAsync());
        }
    }

    [Fact]
    public async Task The_get_form_grants_several_scopes_in_one_request_and_only_what_is_allowed()
    {
        using var client = Server.CreateClient();
        var body = await client.TokenResponseAsync("alice", "alice-pass",
            "&scope=repository:team/app:pull,push&scope=repository:public/x:pull&scope=repository:other/y:pull&scope=registry:catalog:*");
        var token = body.GetProperty("token").GetString()!;
        Assert.Equal(token, body.GetProperty("access_token").GetString());
        Assert.True(body.GetProperty("expires_in").GetInt32() >= 60);
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("issued_at").GetString(), out _));
        Assert.False(body.TryGetProperty("refresh_token", out _));
        Assert.Equal(["repository:team/app:pull,push", "repository:public/x:pull", "registry:catalog:*"], AuthClient.Access(token));
    }

    [Fact]
    public async Task Wrong_credentials_get_401_from_the_token_endpoint()
    {
        using var client = Server.CreateClient();
        foreach (var (user, password) in new[] { ("alice", "wrong"), ("nobody", "alice-pass"), ("alice", "") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/token?service=orleans-registry&scope=repository:team/app:pull");
            request.Headers.Authorization = AuthClient.Basic(user, password);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var otherService = await client.GetAsync("/token?service=somewhere-else");
        Assert.Equal(HttpStatusCode.BadRequest, otherService.StatusCode);
    }

    [Fact]
    public async Task Offline_token_returns_a_refresh_token_that_the_oauth_form_exchanges()
    {
        using var client = Server.CreateClient();
        var body = await client.TokenResponseAsync("alice", "alice-pass", "&offline_token=true&client_id=docker");
        var refresh = body.GetProperty("refresh_token").GetString()!;

        using var response = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refresh,
            ["service"] = "orleans-registry",
            ["client_id"] = "docker",
            ["scope"] = "repository:team/app:pull,push repository:team/other:pull",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        var access = json.RootElement.GetProperty("access_token").GetString()!;
        Assert.Equal(["repository:team/app:pull,push", "repository:team/other:pull"], AuthClient.Access(access));
        Assert.True(json.RootElement.GetProperty("expires_in").GetInt32() >= 60);

        // A refresh token is not an access token.
        using var misuse = Server.WithBearer(refresh);
        using var denied = await misuse.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Contains("error=\"invalid_token\"", denied.Challenge());

        // Anonymous callers get no refresh token.
        var anonymous = await client.TokenResponseAsync(null, null, "&offline_token=true&client_id=docker");
        Assert.False(anonymous.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task The_oauth_password_grant_issues_tokens_and_rejects_a_wrong_password()
    {
        using var client = Server.CreateClient();
        using var response = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "bob",
            ["password"] = "bob-pass",
            ["service"] = "orleans-registry",
            ["client_id"] = "containerd",
            ["access_type"] = "offline",
            ["scope"] = "repository:team/app:pull,push",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        Assert.Equal(["repository:team/app:pull"], AuthClient.Access(json.RootElement.GetProperty("access_token").GetString()!));
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("refresh_token").GetString()));
        Assert.Equal("repository:team/app:pull", json.RootElement.GetProperty("scope").GetString());

        using var wrong = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "bob", ["password"] = "nope", ["service"] = "orleans-registry",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var forged = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.", ["service"] = "orleans-registry",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        using var unknownGrant = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));
        Assert.Equal(HttpStatusCode.BadRequest, unknownGrant.StatusCode);
    }

    [Fact]
    public async Task A_token_without_the_needed_scope_gets_insufficient_scope()
    {
        using var bob = await Server.AsAsync("bob", "bob-pass", "repository:team/app:pull,push");
        using var push = await bob.PostAsync("/v2/team/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        Assert.Equal("DENIED", await push.ErrorCodeAsync());
        Assert.Equal($"Bearer realm=\"{Realm}\",service=\"orleans-registry\",scope=\"repository:team/app:pull,push\",error=\"insufficient_scope\"",
            push.Challenge());

        using var delete = await bob.DeleteAsync($"/v2/team/app/manifests/{Digest}");
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        Assert.Contains("insufficient_scope", delete.Challenge());

        // A token for another repository does not open this one.
        using var otherRepo = await bob.GetAsync("/v2/team/other/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, otherRepo.StatusCode);
        Assert.Contains("scope=\"repository:team/other:pull\"", otherRepo.Challenge());
    }

    [Fact]
    public async Task Forged_and_garbage_tokens_are_invalid_tokens()
    {
        var token = await Server.CreateClient().TokenAsync("alice", "alice-pass", "repository:team/app:pull");
        var parts = token.Split('.');
        var forgedPayload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(
            Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]).Replace("team/app", "team/xyz"));
        foreach (var bad in new[] { $"{parts[0]}.{forgedPayload}.{parts[2]}", "garbage", $"{parts[0]}.{parts[1]}." })
        {
            using var client = Server.WithBearer(bad);
            using var response = await client.GetAsync("/v2/team/xyz/tags/list");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("error=\"invalid_token\"", response.Challenge());
            Assert.Equal("UNAUTHORIZED", await response.ErrorCodeAsync());
        }
    }

    [Fact]
    public async Task Anonymous_pulls_a_public_namespace_but_not_a_private_one()
    {
        var repo = $"public/{Guid.NewGuid():N}";
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push"))
        {
            await alice.PushImageAsync(repo, "v1");
        }

        using var anonymous = await Server.AsAsync(null, null, $"repository:{repo}:pull,push", "repository:team/app:pull");
        Assert.Equal([$"repository:{repo}:pull"], AuthClient.Access(anonymous.DefaultRequestHeaders.Authorization!.Parameter!));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/v1");
        request.Headers.Accept.ParseAdd(OciClient.OciManifest);
        using var pulled = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);

        using var push = await anonymous.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);

        using var privateRepo = await anonymous.GetAsync("/v2/team/app/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, privateRepo.StatusCode);
        Assert.Equal("UNAUTHORIZED", await privateRepo.ErrorCodeAsync());
    }

    [Fact]
    public async Task A_private_repository_and_a_missing_one_answer_alike()
    {
        var existing = $"team/{Guid.NewGuid():N}";
        var missing = $"team/{Guid.NewGuid():N}";
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{existing}:pull,push"))
        {
            await alice.PushImageAsync(existing, "v1");
        }

        foreach (var (user, password) in new[] { ("carol", "carol-pass"), ((string?)null, (string?)null) })
        {
            var answers = new List<string>();
            foreach (var repo in new[] { existing, missing })
            {
                using var client = await Server.AsAsync(user, password, $"repository:{repo}:pull");
                foreach (var path in new[] { $"/v2/{repo}/tags/list", $"/v2/{repo}/manifests/v1", $"/v2/{repo}/blobs/{Digest}" })
                {
                    using var response = await client.GetAsync(path);
                    var body = (await response.Content.ReadAsStringAsync()).Replace(repo, "REPO");
                    answers.Add($"{(int)response.StatusCode} {response.Challenge()?.Replace(repo, "REPO")} {body}");
                }
            }

            Assert.Equal(answers[..3], answers[3..]);
            Assert.All(answers, a => Assert.StartsWith("401 ", a));
        }
    }

    [Fact]
    public async Task The_catalog_lists_only_what_the_caller_may_pull()
    {
        var id = Guid.NewGuid().ToString("N");
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:team/{id}:pull,push", $"repository:public/{id}:pull,push"))
        {
            await alice.PushImageAsync($"team/{id}", "v1");
            await alice.PushImageAsync($"public/{id}", "v1");
        }

        using (var carol = await Server.AsAsync("carol", "carol-pass", $"repository:other/{id}:pull,push"))
        {
            await carol.PushImageAsync($"other/{id}", "v1");
        }

        async Task<List<string>> CatalogAsync(string? user, string? password)
        {
            using var client = await Server.AsAsync(user, password, "registry:catalog:*");
            using var response = await client.GetAsync("/v2/_catalog");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = await response.ReadJsonAsync();
            return [.. json.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetString()!).Where(r => r.EndsWith(id))];
        }

        Assert.Equal([$"public/{id}"], await CatalogAsync(null, null));
        Assert.Equal([$"other/{id}", $"public/{id}"], await CatalogAsync("carol", "carol-pass"));
        Assert.Equal([$"public/{id}", $"team/{id}"], await CatalogAsync("bob", "bob-pass"));
        Assert.Equal([$"other/{id}", $"public/{id}", $"team/{id}"], await CatalogAsync("root", "root-pass"));

        // Pagination still fills pages with visible names only.
        using var anonymous = await Server.AsAsync(null, null, "registry:catalog:*");
        using var page = await anonymous.GetAsync("/v2/_catalog?n=1");
        using var pageJson = await page.ReadJsonAsync();
        var first = Assert.Single(pageJson.RootElement.GetProperty("repositories").EnumerateArray());
        Assert.StartsWith("public/", first.GetString());
    }

    [Fact]
    public async Task A_mount_from_a_repository_the_caller_may_not_pull_falls_back_to_an_upload()
    {
        var secret = $"team/{Guid.NewGuid():N}";
        var layer = OciClient.RandomBytes(1000);
        string digest;
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{secret}:pull,push"))
        {
            digest = await alice.PushBlobAsync(secret, layer);
        }

        var target = $"other/{Guid.NewGuid():N}";
        using var carol = await Server.AsAsync("carol", "carol-pass", $"repository:{target}:pull,push", $"repository:{secret}:pull");
        using (var withFrom = await carol.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}&from={secret}", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, withFrom.StatusCode);
        }

        using (var withoutFrom = await carol.PostAsync($"/v2/{target}/blobs/uploads/?mount={digest}", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, withoutFrom.StatusCode);
        }

        using (var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/{target}/blobs/{digest}"))
        using (var response = await carol.SendAsync(head))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // Someone who may pull the source mounts it, with from and without.
        var copy = $"team/{Guid.NewGuid():N}";
        using var alice2 = await Server.AsAsync("alice", "alice-pass", $"repository:{copy}:pull,push", $"repository:{secret}:pull");
        using (var mounted = await alice2.PostAsync($"/v2/{copy}/blobs/uploads/?mount={digest}&from={secret}", null))
        {
            Assert.Equal(HttpStatusCode.Created, mounted.StatusCode);
        }

        var copy2 = $"team/{Guid.NewGuid():N}";
        using var alice3 = await Server.AsAsync("alice", "alice-pass", $"repository:{copy2}:pull,push");
        using (var discovered = await alice3.PostAsync($"/v2/{copy2}/blobs/uploads/?mount={digest}", null))
        {
            Assert.Equal(HttpStatusCode.Created, discovered.StatusCode);
        }
    }

    [Fact]
    public async Task A_private_blob_is_not_served_through_a_public_repository_that_does_not_link_it()
    {
        var secret = $"team/{Guid.NewGuid():N}";
        var open = $"public/{Guid.NewGuid():N}";
        string digest;
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{secret}:pull,push", $"repository:{open}:pull,push"))
        {
            digest = await alice.PushBlobAsync(secret, OciClient.RandomBytes(777));
            await alice.PushImageAsync(open, "v1");
        }

        using var anonymous = await Server.AsAsync(null, null, $"repository:{open}:pull");
        using var response = await anonymous.GetAsync($"/v2/{open}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task Referrers_follow_their_repository()
    {
        var repo = $"team/{Guid.NewGuid():N}";
        string subject;
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push"))
        {
            (_, subject) = await alice.PushImageAsync(repo, "v1");
            await alice.PushImageAsync(repo, "sig", subject, "application/vnd.example.sig");
        }

        using var bob = await Server.AsAsync("bob", "bob-pass", $"repository:{repo}:pull");
        using var ok = await bob.GetAsync($"/v2/{repo}/referrers/{subject}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var carol = await Server.AsAsync("carol", "carol-pass", $"repository:{repo}:pull");
        using var denied = await carol.GetAsync($"/v2/{repo}/referrers/{subject}");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }

    [Fact]
    public async Task Health_stays_open()
    {
        using var client = Server.CreateClient();
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
