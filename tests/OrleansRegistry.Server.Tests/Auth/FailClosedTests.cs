using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Auth;

/// <summary>
/// Every access rule fails closed, with the status, OCI code and challenge a client acts on:
/// 401 UNAUTHORIZED + <c>error="invalid_token"</c> for a token that is not good (forged, expired,
/// another service or issuer), 401 DENIED (UNAUTHORIZED when anonymous) + <c>error="insufficient_scope"</c>
/// for a good token without the scope, 404 for content the repository of the path does not link,
/// 202 (a plain upload) for a mount the caller may not make.
/// </summary>
public sealed class FailClosedTests(AuthServer fixture) : IClassFixture<AuthServer>
{
    private const string EmptyDigest = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private RegistryServer Server => fixture.Server;

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code, string? challengeError, string? scope = null)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Challenge();
        Assert.NotNull(challenge);
        Assert.StartsWith("Bearer realm=", challenge);
        if (challengeError is not null)
        {
            Assert.Contains($"error=\"{challengeError}\"", challenge);
        }

        if (scope is not null)
        {
            Assert.Contains($"scope=\"{scope}\"", challenge);
        }

        if (response.RequestMessage?.Method != HttpMethod.Head)
        {
            Assert.Equal(code, await response.ErrorCodeAsync());
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, byte[]? body = null, string? contentType = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/octet-stream");
        }

        return request;
    }

    [Fact]
    public async Task Every_write_needs_push_upload_steps_manifest_puts_and_tag_moves()
    {
        var repo = OciClient.Unique("team");
        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push");
        var (manifest, digest) = await alice.PushImageAsync(repo, "v1");
        var session = await alice.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, session.StatusCode);
        var location = session.Headers.Location!.OriginalString;

        // bob may pull team/* only: his token for pull,push carries pull.
        using var bob = await Server.AsAsync("bob", "bob-pass", $"repository:{repo}:pull,push");
        var attempts = new (HttpMethod Method, string Path, byte[]? Body, string? Type)[]
        {
            (HttpMethod.Post, $"/v2/{repo}/blobs/uploads/", null, null),
            (HttpMethod.Post, $"/v2/{repo}/blobs/uploads/?digest={EmptyDigest}", [], null),
            (HttpMethod.Get, location, null, null),
            (HttpMethod.Patch, location, [1, 2, 3], null),
            (HttpMethod.Put, $"{location}{(location.Contains('?') ? '&' : '?')}digest={EmptyDigest}", [], null),
            (HttpMethod.Delete, location, null, null),
            (HttpMethod.Put, $"/v2/{repo}/manifests/moved", manifest, OciClient.OciManifest),
            (HttpMethod.Put, $"/v2/{repo}/manifests/v1", manifest, OciClient.OciManifest),
            (HttpMethod.Put, $"/v2/{repo}/manifests/{digest}", manifest, OciClient.OciManifest),
        };
        foreach (var (method, path, body, type) in attempts)
        {
            using var request = Request(method, path, body, type);
            using var response = await bob.SendAsync(request);
            await AssertRefusedAsync(response, "DENIED", "insufficient_scope", $"repository:{repo}:pull,push");
        }

        using var tags = await alice.GetAsync($"/v2/{repo}/tags/list");
        using var json = await tags.ReadJsonAsync();
        Assert.Equal(["v1"], json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        using var status = await alice.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
    }

    [Fact]
    public async Task Deletes_need_delete_even_with_push()
    {
        var repo = OciClient.Unique("team");
        using var alicePush = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push");
        var (_, digest) = await alicePush.PushImageAsync(repo, "v1");
        var blob = await alicePush.PushBlobAsync(repo, OciClient.RandomBytes(100));
        using var bob = await Server.AsAsync("bob", "bob-pass", $"repository:{repo}:pull,delete");
        Assert.Equal([$"repository:{repo}:pull"], AuthClient.Access(bob.DefaultRequestHeaders.Authorization!.Parameter!));

        foreach (var client in new[] { alicePush, bob })
        {
            foreach (var path in new[] { $"/v2/{repo}/manifests/{digest}", $"/v2/{repo}/manifests/v1", $"/v2/{repo}/blobs/{blob}" })
            {
                using var response = await client.DeleteAsync(path);
                await AssertRefusedAsync(response, "DENIED", "insufficient_scope", $"repository:{repo}:delete");
            }
        }

        using (var head = await alicePush.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/manifests/{digest}")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        using var aliceDelete = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:delete");
        using var deleted = await aliceDelete.DeleteAsync($"/v2/{repo}/manifests/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
    }

    [Fact]
    public async Task The_catalog_needs_the_catalog_scope()
    {
        using var alice = await Server.AsAsync("alice", "alice-pass", "repository:team/app:pull");
        using var denied = await alice.GetAsync("/v2/_catalog");
        await AssertRefusedAsync(denied, "DENIED", "insufficient_scope", "registry:catalog:*");

        using var anonymous = await Server.AsAsync(null, null, "repository:public/app:pull");
        using var anonymousDenied = await anonymous.GetAsync("/v2/_catalog");
        await AssertRefusedAsync(anonymousDenied, "UNAUTHORIZED", "insufficient_scope", "registry:catalog:*");
    }

    [Fact]
    public async Task A_token_for_one_repository_opens_no_other_not_even_a_longer_or_nested_name()
    {
        var repo = OciClient.Unique("team");
        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push,delete");
        await alice.PushImageAsync(repo, "v1");
        foreach (var other in new[] { OciClient.Unique("team"), $"{repo}x", $"{repo}/sub", "team/app" })
        {
            using (var pull = await alice.GetAsync($"/v2/{other}/tags/list"))
            {
                await AssertRefusedAsync(pull, "DENIED", "insufficient_scope", $"repository:{other}:pull");
            }

            using (var push = await alice.PostAsync($"/v2/{other}/blobs/uploads/", null))
            {
                await AssertRefusedAsync(push, "DENIED", "insufficient_scope", $"repository:{other}:pull,push");
            }
        }
    }

    [Fact]
    public async Task Tokens_signed_by_another_key_unsigned_or_stripped_are_invalid_tokens()
    {
        var keys = Server.Services.GetRequiredService<SigningKeys>();
        var options = new AuthOptions { ClockSkew = TimeSpan.FromSeconds(5) };
        var access = new[] { new AccessScope("repository", "team/app", ["pull", "push", "delete"]) };

        // Another key that claims the server's kid.
        var otherKey = SigningKeys.FromPem(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(), requirePrivate: true);
        otherKey.KeyId = keys.SigningKey.KeyId;
        var otherKeyToken = new TokenService(options, new SigningKeys(otherKey, [otherKey]), TimeProvider.System).IssueAccess("alice", access).Token;

        var genuine = new TokenService(options, keys, TimeProvider.System).IssueAccess("alice", access).Token;
        var parts = genuine.Split('.');
        var unsigned = $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.";
        var hs256 = $"{Base64UrlEncoder.Encode($"{{\"alg\":\"HS256\",\"kid\":\"{keys.SigningKey.KeyId}\",\"typ\":\"JWT\"}}")}.{parts[1]}.{parts[2]}";

        foreach (var bad in new[] { otherKeyToken, unsigned, $"{parts[0]}.{parts[1]}.", hs256 })
        {
            using var client = Server.WithBearer(bad);
            using var response = await client.GetAsync("/v2/team/app/tags/list");
            await AssertRefusedAsync(response, "UNAUTHORIZED", "invalid_token", "repository:team/app:pull");
        }

        // The genuine token from the same service works (the control).
        using var ok = Server.WithBearer(genuine);
        using var allowed = await ok.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Expired_and_not_yet_valid_tokens_are_invalid_beyond_the_clock_skew_only()
    {
        // The fixture allows 5 s of skew; tokens are minted with the server's own key on a moved clock.
        var keys = Server.Services.GetRequiredService<SigningKeys>();
        var options = new AuthOptions { TokenLifetime = TimeSpan.FromMinutes(5), ClockSkew = TimeSpan.FromSeconds(5) };
        var access = new[] { new AccessScope("repository", "team/app", ["pull"]) };
        string Mint(TimeSpan issuedAgo) =>
            new TokenService(options, keys, new ManualClock(DateTimeOffset.UtcNow - issuedAgo)).IssueAccess("alice", access).Token;

        var expired = Mint(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(60));
        var future = Mint(TimeSpan.FromSeconds(-120));
        foreach (var bad in new[] { expired, future })
        {
            using var client = Server.WithBearer(bad);
            using var response = await client.GetAsync("/v2/team/app/tags/list");
            await AssertRefusedAsync(response, "UNAUTHORIZED", "invalid_token", "repository:team/app:pull");
        }

        // Expired a second ago: still inside the 5 s skew.
        using var withinSkew = Server.WithBearer(Mint(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1)));
        using var allowed = await withinSkew.GetAsync("/v2/team/app/tags/list");
        Assert.NotEqual(HttpStatusCode.Unauthorized, allowed.StatusCode);
    }

    [Fact]
    public async Task Tokens_for_another_service_or_from_an_unknown_issuer_are_invalid_even_with_the_right_key()
    {
        var keys = Server.Services.GetRequiredService<SigningKeys>();
        var access = new[] { new AccessScope("repository", "team/app", ["pull"]) };
        var otherService = new TokenService(new AuthOptions { Service = "other-registry" }, keys, TimeProvider.System).IssueAccess("alice", access).Token;
        var otherIssuer = new TokenService(new AuthOptions { Issuer = "someone-else" }, keys, TimeProvider.System).IssueAccess("alice", access).Token;
        foreach (var bad in new[] { otherService, otherIssuer })
        {
            using var client = Server.WithBearer(bad);
            using var response = await client.GetAsync("/v2/team/app/tags/list");
            await AssertRefusedAsync(response, "UNAUTHORIZED", "invalid_token", "repository:team/app:pull");
        }

        // And a refresh token of another service is no good at the token endpoint either.
        var refresh = new TokenService(new AuthOptions { Service = "other-registry" }, keys, TimeProvider.System).IssueRefresh("alice", "any");
        using var anonymous = Server.CreateClient();
        using var exchanged = await anonymous.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["service"] = "orleans-registry", ["scope"] = "repository:team/app:pull",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, exchanged.StatusCode);
    }

    [Fact]
    public async Task A_private_layer_or_manifest_is_not_served_through_any_path_that_does_not_link_it()
    {
        var secret = OciClient.Unique("team");
        var open = OciClient.Unique("public");
        var neighbour = OciClient.Unique("team");
        string layer;
        string secretManifest;
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{secret}:pull,push", $"repository:{open}:pull,push", $"repository:{neighbour}:pull,push"))
        {
            layer = await alice.PushBlobAsync(secret, OciClient.RandomBytes(2048));
            (_, secretManifest) = await alice.PushImageAsync(secret, "v1");
            await alice.PushImageAsync(open, "v1");
            await alice.PushImageAsync(neighbour, "v1");
        }

        // Anonymous through the public path; alice (who may pull everything) too; bob through a private neighbour he may pull.
        var callers = new (string? User, string? Password, string Repo)[] { (null, null, open), ("alice", "alice-pass", open), ("bob", "bob-pass", neighbour) };
        foreach (var (user, password, repo) in callers)
        {
            using var client = await Server.AsAsync(user, password, $"repository:{repo}:pull");
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                using var blob = await client.SendAsync(new HttpRequestMessage(method, $"/v2/{repo}/blobs/{layer}"));
                Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
                using var manifest = await client.SendAsync(new HttpRequestMessage(method, $"/v2/{repo}/manifests/{secretManifest}"));
                Assert.Equal(HttpStatusCode.NotFound, manifest.StatusCode);
                if (method == HttpMethod.Get)
                {
                    Assert.Equal("BLOB_UNKNOWN", await blob.ErrorCodeAsync());
                    Assert.Equal("MANIFEST_UNKNOWN", await manifest.ErrorCodeAsync());
                }
            }
        }
    }

    [Fact]
    public async Task Referrers_of_a_private_repository_are_refused_to_who_may_not_pull_it()
    {
        var repo = OciClient.Unique("team");
        string subject;
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push"))
        {
            (_, subject) = await alice.PushImageAsync(repo, "v1");
            await alice.PushImageAsync(repo, "sig", subject, "application/vnd.example.sig");
        }

        using (var anonymous = await Server.AsAsync(null, null, $"repository:{repo}:pull"))
        using (var response = await anonymous.GetAsync($"/v2/{repo}/referrers/{subject}"))
        {
            await AssertRefusedAsync(response, "UNAUTHORIZED", "insufficient_scope", $"repository:{repo}:pull");
        }

        using (var carol = await Server.AsAsync("carol", "carol-pass", $"repository:{repo}:pull"))
        using (var response = await carol.GetAsync($"/v2/{repo}/referrers/{subject}?artifactType=application/vnd.example.sig"))
        {
            await AssertRefusedAsync(response, "DENIED", "insufficient_scope", $"repository:{repo}:pull");
        }

        // Referrers of the same subject asked through a repository the caller may pull list nothing of this one.
        var own = OciClient.Unique("other");
        using var carolOwn = await Server.AsAsync("carol", "carol-pass", $"repository:{own}:pull,push");
        using var elsewhere = await carolOwn.GetAsync($"/v2/{own}/referrers/{subject}");
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        using var json = await elsewhere.ReadJsonAsync();
        Assert.Empty(json.RootElement.GetProperty("manifests").EnumerateArray());
    }

    [Fact]
    public async Task Mounts_fall_back_to_an_upload_unless_the_source_may_be_pulled_and_links_the_blob()
    {
        var secret = OciClient.Unique("team");
        var open = OciClient.Unique("public");
        string layer;
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{secret}:pull,push", $"repository:{open}:pull,push"))
        {
            layer = await alice.PushBlobAsync(secret, OciClient.RandomBytes(3000));
            await alice.PushImageAsync(open, "v1");
        }

        var target = OciClient.Unique("other");
        using var carol = await Server.AsAsync("carol", "carol-pass", $"repository:{target}:pull,push", $"repository:{open}:pull", $"repository:{secret}:pull");
        foreach (var query in new[] { $"mount={layer}&from={secret}", $"mount={layer}", $"mount={layer}&from={open}", $"mount={layer}&from={target}" })
        {
            using var response = await carol.PostAsync($"/v2/{target}/blobs/uploads/?{query}", null);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Contains("/blobs/uploads/", response.Headers.Location!.OriginalString);
        }

        using var head = await carol.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{target}/blobs/{layer}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);

        // Anonymous callers cannot mount at all: a mount is a push.
        using var anonymous = await Server.AsAsync(null, null, $"repository:{open}:pull,push");
        using var anonymousMount = await anonymous.PostAsync($"/v2/{open}/blobs/uploads/?mount={layer}&from={secret}", null);
        await AssertRefusedAsync(anonymousMount, "UNAUTHORIZED", "insufficient_scope", $"repository:{open}:pull,push");
    }

    [Fact]
    public async Task A_private_repository_and_a_missing_one_answer_alike_on_every_route()
    {
        var existing = OciClient.Unique("team");
        var missing = OciClient.Unique("team");
        string digest;
        using (var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{existing}:pull,push"))
        {
            (_, digest) = await alice.PushImageAsync(existing, "v1");
        }

        foreach (var (user, password) in new (string? User, string? Password)[] { ("carol", "carol-pass"), (null, null) })
        {
            var answers = new Dictionary<string, List<string>>();
            foreach (var repo in new[] { existing, missing })
            {
                var scopes = $"repository:{repo}:pull,push,delete";
                using var client = await Server.AsAsync(user, password, scopes);
                var list = answers[repo] = [];
                foreach (var (method, path) in new[]
                {
                    (HttpMethod.Get, $"/v2/{repo}/tags/list"), (HttpMethod.Get, $"/v2/{repo}/manifests/v1"), (HttpMethod.Head, $"/v2/{repo}/manifests/v1"),
                    (HttpMethod.Get, $"/v2/{repo}/manifests/{digest}"), (HttpMethod.Head, $"/v2/{repo}/blobs/{digest}"), (HttpMethod.Get, $"/v2/{repo}/referrers/{digest}"),
                    (HttpMethod.Post, $"/v2/{repo}/blobs/uploads/"), (HttpMethod.Delete, $"/v2/{repo}/manifests/{digest}"),
                })
                {
                    using var response = await client.SendAsync(new HttpRequestMessage(method, path));
                    var body = (await response.Content.ReadAsStringAsync()).Replace(repo, "REPO");
                    list.Add($"{method} {(int)response.StatusCode} {response.Challenge()?.Replace(repo, "REPO")} {body}");
                }
            }

            Assert.Equal(answers[existing], answers[missing]);
            Assert.All(answers[existing], a => Assert.Matches("^[A-Z]+ 401 ", a));
        }
    }
}
