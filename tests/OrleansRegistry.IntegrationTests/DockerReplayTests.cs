using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests;

/// <summary>
/// There is no Docker engine here: these tests replay, request by request, what <c>docker login</c>
/// and a following <c>docker pull</c> send (the distribution client's token handler: login asks the
/// GET form for an offline token with <c>client_id=docker</c> and no scope, the engine keeps the
/// refresh token as the identity token and later trades it with the OAuth2 POST form), against a
/// server process started with examples/auth/auth.json.
/// </summary>
public sealed partial class DockerReplayTests(ITestOutputHelper log)
{
    private const string Fixture = "/tmp/oci-e2e/fixtures/oci-tiny";
    private const string UserAgent = "docker/27.3.1 go/go1.22.7 git-commit/41ca978 kernel/6.1.0 os/linux arch/amd64";

    /// <summary>The Accept list of a docker pull of a tag.</summary>
    private static readonly string[] PullAccept =
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
    ];

    [Fact]
    public async Task Docker_login_then_docker_pull_with_the_refresh_token()
    {
        Assert.True(Directory.Exists(Fixture), $"missing {Fixture}: run ../shared/e2e/setup.sh");
        using var data = new TempDirectory();
        var config = Path.Combine(RegistryProcess.RepositoryRoot, "examples", "auth", "auth.json");
        await using var server = await RegistryProcess.StartReadyAsync(data.Path, log, $"--Registry:Auth:ConfigPath={config}");
        var manifestDigest = await PushFixtureAsync(server, "team/app", "v1");
        using var docker = server.CreateClient();
        docker.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);

        // ---- docker login 127.0.0.1:port -u alice (password on stdin)
        // 1. The ping: GET /v2/ without credentials gives the challenge, without a scope.
        var challenge = await PingAsync(docker);
        Assert.Equal("orleans-registry", challenge["service"]);
        Assert.False(challenge.ContainsKey("scope"));
        Assert.Equal($"http://127.0.0.1:{server.HttpPort}/token", challenge["realm"]);

        // 2. A wrong password first: docker reports the 401 and stores nothing.
        using (var wrong = await LoginRequestAsync(docker, challenge, "alice", "not-her-password"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // 3. The login proper: GET realm?account=alice&client_id=docker&offline_token=true&service=... with basic auth.
        string loginToken;
        string refreshToken;
        using (var login = await LoginRequestAsync(docker, challenge, "alice", "alice-pass"))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            using var json = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
            var body = json.RootElement;
            loginToken = body.GetProperty("token").GetString()!;
            Assert.Equal(loginToken, body.GetProperty("access_token").GetString());
            Assert.True(body.GetProperty("expires_in").GetInt32() >= 60);
            Assert.True(DateTimeOffset.TryParse(body.GetProperty("issued_at").GetString(), out _));
            refreshToken = body.GetProperty("refresh_token").GetString()!;
            Assert.False(string.IsNullOrEmpty(refreshToken));
        }

        // 4. docker checks the token on /v2/ and reports "Login Succeeded" (keeping the refresh token as identity token).
        using (var check = new HttpRequestMessage(HttpMethod.Get, "/v2/"))
        {
            check.Headers.Authorization = new AuthenticationHeaderValue("Bearer", loginToken);
            using var response = await docker.SendAsync(check);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("registry/2.0", response.Headers.GetValues("Docker-Distribution-API-Version").Single());
        }

        // ---- docker pull 127.0.0.1:port/team/app:v1 (a new session of the engine)
        challenge = await PingAsync(docker);
        var pullToken = await RefreshAsync(docker, challenge, refreshToken, "repository:team/app:pull");
        await PullAsync(docker, pullToken, "team/app", "v1", manifestDigest);

        // A refresh token is not a bearer token for the API.
        using (var misuse = new HttpRequestMessage(HttpMethod.Get, "/v2/team/app/tags/list"))
        {
            misuse.Headers.Authorization = new AuthenticationHeaderValue("Bearer", refreshToken);
            using var response = await docker.SendAsync(misuse);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        }

        Assert.DoesNotContain("alice-pass", server.Output);
        Assert.DoesNotContain("not-her-password", server.Output);
        Assert.DoesNotContain(refreshToken, server.Output);
    }

    [Fact]
    public async Task Docker_pull_is_refused_where_the_grants_do_not_reach_and_a_public_image_pulls_without_login()
    {
        Assert.True(Directory.Exists(Fixture), $"missing {Fixture}: run ../shared/e2e/setup.sh");
        using var data = new TempDirectory();
        var config = Path.Combine(RegistryProcess.RepositoryRoot, "examples", "auth", "auth.json");
        await using var server = await RegistryProcess.StartReadyAsync(data.Path, log, $"--Registry:Auth:ConfigPath={config}");
        var privateDigest = await PushFixtureAsync(server, "team/app", "v1");
        var publicDigest = await PushFixtureAsync(server, "public/app", "v1");
        using var docker = server.CreateClient();
        docker.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);

        // bob logs in; his refresh token asks for push too (docker push would) and gets pull only.
        var challenge = await PingAsync(docker);
        string bobRefresh;
        using (var login = await LoginRequestAsync(docker, challenge, "bob", "bob-pass"))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            using var json = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
            bobRefresh = json.RootElement.GetProperty("refresh_token").GetString()!;
        }

        using (var post = await RefreshRequestAsync(docker, challenge, bobRefresh, "repository:team/app:pull,push"))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            using var json = JsonDocument.Parse(await post.Content.ReadAsStringAsync());
            Assert.Equal("repository:team/app:pull", json.RootElement.GetProperty("scope").GetString());
            await PullAsync(docker, json.RootElement.GetProperty("access_token").GetString()!, "team/app", "v1", privateDigest);

            using var upload = new HttpRequestMessage(HttpMethod.Post, "/v2/team/app/blobs/uploads/");
            upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("access_token").GetString());
            using var denied = await docker.SendAsync(upload);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Contains("error=\"insufficient_scope\"", denied.Headers.WwwAuthenticate.ToString());
            Assert.Equal("DENIED", await denied.ErrorCodeAsync());
        }

        // A forged refresh token is refused by the token endpoint.
        var parts = bobRefresh.Split('.');
        var forged = $"{parts[0]}.{Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"sub\":\"alice\",\"token_use\":\"refresh\"}")).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.{parts[2]}";
        using (var refused = await RefreshRequestAsync(docker, challenge, forged, "repository:team/app:pull"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("invalid_grant", json.RootElement.GetProperty("error").GetString());
        }

        // Not logged in: docker asks the GET form without credentials; the public image pulls, the private one does not.
        async Task<string> AnonymousTokenAsync(string scope)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"{challenge["realm"]}?scope={Uri.EscapeDataString(scope)}&service={Uri.EscapeDataString(challenge["service"])}");
            using var response = await docker.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.False(json.RootElement.TryGetProperty("refresh_token", out _));
            return json.RootElement.GetProperty("token").GetString()!;
        }

        await PullAsync(docker, await AnonymousTokenAsync("repository:public/app:pull"), "public/app", "v1", publicDigest);

        using var head = new HttpRequestMessage(HttpMethod.Head, "/v2/team/app/manifests/v1");
        head.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AnonymousTokenAsync("repository:team/app:pull"));
        foreach (var accept in PullAccept)
        {
            head.Headers.Accept.ParseAdd(accept);
        }

        using var anonymousPrivate = await docker.SendAsync(head);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousPrivate.StatusCode);
        Assert.Contains("scope=\"repository:team/app:pull\",error=\"insufficient_scope\"", anonymousPrivate.Headers.WwwAuthenticate.ToString());
    }

    private static async Task<Dictionary<string, string>> PingAsync(HttpClient docker)
    {
        using var ping = await docker.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, ping.StatusCode);
        Assert.Equal("registry/2.0", ping.Headers.GetValues("Docker-Distribution-API-Version").Single());
        var header = Assert.Single(ping.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", header.Scheme);
        return ChallengeParameter().Matches(header.Parameter!).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    /// <summary>docker login: GET realm?account=&lt;user&gt;&amp;client_id=docker&amp;offline_token=true&amp;service=... with basic auth, no scope.</summary>
    private static Task<HttpResponseMessage> LoginRequestAsync(HttpClient docker, Dictionary<string, string> challenge, string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Get,
            $"{challenge["realm"]}?account={Uri.EscapeDataString(user)}&client_id=docker&offline_token=true&service={Uri.EscapeDataString(challenge["service"])}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return docker.SendAsync(request);
    }

    /// <summary>docker pull with an identity token: the OAuth2 POST form, grant_type=refresh_token.</summary>
    private static Task<HttpResponseMessage> RefreshRequestAsync(HttpClient docker, Dictionary<string, string> challenge, string refreshToken, string scope) =>
        docker.PostAsync(challenge["realm"], new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["service"] = challenge["service"],
            ["scope"] = scope,
            ["client_id"] = "docker",
        }));

    private static async Task<string> RefreshAsync(HttpClient docker, Dictionary<string, string> challenge, string refreshToken, string scope)
    {
        using var response = await RefreshRequestAsync(docker, challenge, refreshToken, scope);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var body = json.RootElement;
        Assert.Equal(scope, body.GetProperty("scope").GetString());
        Assert.True(body.GetProperty("expires_in").GetInt32() >= 60);
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("issued_at").GetString(), out _));
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>What the engine does for a tag: HEAD the manifest with its Accept list, GET it by digest, GET config and layers, checking every digest.</summary>
    private static async Task PullAsync(HttpClient docker, string token, string repository, string tag, string expectedDigest)
    {
        HttpRequestMessage Request(HttpMethod method, string path, bool manifest)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (manifest)
            {
                foreach (var accept in PullAccept)
                {
                    request.Headers.Accept.ParseAdd(accept);
                }
            }

            return request;
        }

        string digest;
        using (var head = Request(HttpMethod.Head, $"/v2/{repository}/manifests/{tag}", manifest: true))
        using (var response = await docker.SendAsync(head))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            digest = response.Headers.GetValues("Docker-Content-Digest").Single();
            Assert.Equal(expectedDigest, digest);
            Assert.Equal("application/vnd.oci.image.manifest.v1+json", response.Content.Headers.ContentType?.MediaType);
        }

        byte[] manifestBytes;
        using (var get = Request(HttpMethod.Get, $"/v2/{repository}/manifests/{digest}", manifest: true))
        using (var response = await docker.SendAsync(get))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            manifestBytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(digest, Oci.Sha256(manifestBytes));
        }

        using var manifest = JsonDocument.Parse(manifestBytes);
        var blobs = new[] { manifest.RootElement.GetProperty("config") }
            .Concat(manifest.RootElement.GetProperty("layers").EnumerateArray())
            .Select(d => d.GetProperty("digest").GetString()!)
            .ToList();
        Assert.True(blobs.Count >= 2);
        foreach (var blob in blobs)
        {
            using var get = Request(HttpMethod.Get, $"/v2/{repository}/blobs/{blob}", manifest: false);
            using var response = await docker.SendAsync(get);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(blob, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync())));
        }
    }

    /// <summary>Pushes the oci-tiny layout as alice (manifest, config and layers as they are); returns the manifest digest.</summary>
    private static async Task<string> PushFixtureAsync(RegistryProcess server, string repository, string tag)
    {
        using var client = server.CreateClient();
        using (var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"/token?service=orleans-registry&scope=repository:{repository}:pull,push"))
        {
            tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-pass")));
            using var tokenResponse = await client.SendAsync(tokenRequest);
            Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
            using var tokenJson = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokenJson.RootElement.GetProperty("token").GetString());
        }

        byte[] Blob(string digest) => File.ReadAllBytes(Path.Combine(Fixture, "blobs", "sha256", digest["sha256:".Length..]));

        using var index = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(Fixture, "index.json")));
        var descriptor = index.RootElement.GetProperty("manifests")[0];
        var manifestDigest = descriptor.GetProperty("digest").GetString()!;
        var manifestBytes = Blob(manifestDigest);
        using var manifest = JsonDocument.Parse(manifestBytes);
        foreach (var blob in new[] { manifest.RootElement.GetProperty("config") }.Concat(manifest.RootElement.GetProperty("layers").EnumerateArray()))
        {
            using var pushed = await client.PostBlobAsync(repository, Blob(blob.GetProperty("digest").GetString()!));
            Assert.Equal(HttpStatusCode.Created, pushed.StatusCode);
        }

        var content = new ByteArrayContent(manifestBytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(descriptor.GetProperty("mediaType").GetString()!);
        using var put = await client.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return manifestDigest;
    }

    [GeneratedRegex("(\\w+)=\"([^\"]*)\"")]
    private static partial Regex ChallengeParameter();
}
