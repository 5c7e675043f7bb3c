using System.Diagnostics;
using System.Net;
using System.Text;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests;

/// <summary>
/// A real client (skopeo) through the token challenge against a server process started with
/// <c>--Registry:Auth:ConfigPath=examples/auth/auth.json</c>: alice pushes, bob pulls, bob's push is
/// denied, anonymous pulls only the public namespace. Needs skopeo and the fixtures of
/// ../shared/e2e/setup.sh (scripts/test.sh runs it first).
/// </summary>
public sealed class TokenAuthClientTests(ITestOutputHelper log)
{
    private const string Fixture = "/tmp/oci-e2e/fixtures/oci-tiny";

    [Fact]
    public async Task Skopeo_pushes_and_pulls_through_the_token_challenge_with_the_example_configuration()
    {
        Assert.True(Directory.Exists(Fixture), $"missing {Fixture}: run ../shared/e2e/setup.sh");
        using var data = new TempDirectory();
        using var work = new TempDirectory();
        var config = Path.Combine(RegistryProcess.RepositoryRoot, "examples", "auth", "auth.json");
        await using var server = await RegistryProcess.StartReadyAsync(data.Path, log, $"--Registry:Auth:ConfigPath={config}");
        var host = $"127.0.0.1:{server.HttpPort}";
        var source = $"oci:{Fixture}:latest";

        // The challenge names the realm on the address the client used.
        using (var client = server.CreateClient())
        using (var response = await client.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains($"realm=\"http://{host}/token\"", response.Headers.WwwAuthenticate.ToString());
        }

        var push = await SkopeoAsync(work.Path, "copy", "--dest-creds", "alice:alice-pass", "--dest-tls-verify=false", source, $"docker://{host}/team/app:v1");
        Assert.True(push.ExitCode == 0, push.Output);

        var pull = await SkopeoAsync(work.Path, "copy", "--src-creds", "bob:bob-pass", "--src-tls-verify=false",
            $"docker://{host}/team/app:v1", $"oci:{Path.Combine(work.Path, "pulled")}:v1");
        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.True(File.Exists(Path.Combine(work.Path, "pulled", "index.json")));

        var denied = await SkopeoAsync(work.Path, "copy", "--dest-creds", "bob:bob-pass", "--dest-tls-verify=false", source, $"docker://{host}/team/bob:v1");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Matches("(?i)denied|unauthorized", denied.Output);

        var wrongPassword = await SkopeoAsync(work.Path, "copy", "--src-creds", "bob:wrong", "--src-tls-verify=false",
            $"docker://{host}/team/app:v1", $"oci:{Path.Combine(work.Path, "never")}:v1");
        Assert.NotEqual(0, wrongPassword.ExitCode);

        var anonymousPrivate = await SkopeoAsync(work.Path, "copy", "--src-no-creds", "--src-tls-verify=false",
            $"docker://{host}/team/app:v1", $"oci:{Path.Combine(work.Path, "anonymous-private")}:v1");
        Assert.NotEqual(0, anonymousPrivate.ExitCode);

        var pushPublic = await SkopeoAsync(work.Path, "copy", "--dest-creds", "alice:alice-pass", "--dest-tls-verify=false", source, $"docker://{host}/public/app:v1");
        Assert.True(pushPublic.ExitCode == 0, pushPublic.Output);
        var anonymousPublic = await SkopeoAsync(work.Path, "copy", "--src-no-creds", "--src-tls-verify=false",
            $"docker://{host}/public/app:v1", $"oci:{Path.Combine(work.Path, "anonymous-public")}:v1");
        Assert.True(anonymousPublic.ExitCode == 0, anonymousPublic.Output);

        // Secrets never reach the log; failed logins do, as security events.
        Assert.DoesNotContain("alice-pass", server.Output);
        Assert.DoesNotContain("bob-pass", server.Output);
        Assert.Contains("security: failed login for bob", server.Output);
    }

    [Fact]
    public async Task Cluster_mode_without_a_configured_signing_key_refuses_to_start_cleanly()
    {
        using var data = new TempDirectory();
        await using var server = RegistryProcess.Start(data.Path, log, "--Registry:Auth:Mode=Token", "--Registry:Cluster:Clustering=Redis", "--ConnectionStrings:Redis=127.0.0.1:1", "--Registry:Cluster:GrainStorage=AzureBlob", "--ConnectionStrings:AzureBlob=UseDevelopmentStorage=true");
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, exit);
        Assert.Contains("Registry:Auth:SigningKeyPath is required", server.Output);
        Assert.DoesNotContain("   at ", server.Output);
    }

    [Fact]
    public async Task The_generated_key_survives_a_restart_and_old_tokens_stay_valid()
    {
        using var data = new TempDirectory();
        var config = Path.Combine(RegistryProcess.RepositoryRoot, "examples", "auth", "auth.json");
        string token;
        await using (var first = await RegistryProcess.StartReadyAsync(data.Path, log, $"--Registry:Auth:ConfigPath={config}"))
        {
            using var client = first.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/token?service=orleans-registry&scope=repository:team/app:pull");
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:bob-pass")));
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            token = json.RootElement.GetProperty("token").GetString()!;
            Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(60)));
        }

        Assert.True(File.Exists(Path.Combine(data.Path, "auth", "signing-key.pem")));
        await using var second = await RegistryProcess.StartReadyAsync(data.Path, log, $"--Registry:Auth:ConfigPath={config}");
        using var after = second.CreateClient();
        using var get = new HttpRequestMessage(HttpMethod.Get, "/v2/team/app/tags/list");
        get.Headers.Authorization = new("Bearer", token);
        using var tags = await after.SendAsync(get);
        Assert.Equal(HttpStatusCode.NotFound, tags.StatusCode);
    }

    /// <summary>skopeo kept away from any credentials of the machine.</summary>
    private Task<(int ExitCode, string Output)> SkopeoAsync(string home, params string[] arguments) =>
        ExternalTool.RunAsync(log, "skopeo", new Dictionary<string, string>
        {
            ["REGISTRY_AUTH_FILE"] = Path.Combine(home, "auth.json"),
            ["DOCKER_CONFIG"] = Path.Combine(home, "docker"),
            ["HOME"] = home,
        }, ["--insecure-policy", .. arguments]);
}
