using System.Net;
using System.Text.RegularExpressions;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests;

/// <summary>
/// podman, docker and containerd's ctr through the token challenge, against a server process started with
/// <c>--Registry:Auth:ConfigPath=examples/auth/auth.json</c> (alice pushes and pulls <c>team/*</c>,
/// bob pulls it, anonymous pulls <c>public/*</c>). Every client gets a private configuration in a
/// temp directory (vfs storage and runc for podman, its own dockerd for docker, its own containerd for
/// ctr) and never sees the machine's credentials. Needs podman, docker, dockerd, skopeo, containerd,
/// ctr and the fixtures of ../shared/e2e/setup.sh.
/// </summary>
public sealed class RealClientAuthTests(ITestOutputHelper log)
{
    private const string FixtureLayout = "/tmp/oci-e2e/fixtures/oci-tiny";
    private const string FixtureArchive = "/tmp/oci-e2e/fixtures/oci-tiny.tar";
    private const string TinyManifestDigest = "sha256:03be5383cee38932458d5ea3d4312b6721a317a1dc118def8f61734cdd2ffdc5";

    private static string ExampleConfig => Path.Combine(RegistryProcess.RepositoryRoot, "examples", "auth", "auth.json");

    [Fact]
    public async Task Podman_logs_in_pushes_and_pulls_and_pulls_a_public_image_anonymously()
    {
        Assert.True(Directory.Exists(FixtureLayout), $"missing {FixtureLayout}: run ../shared/e2e/setup.sh");
        using var work = new TempDirectory();
        await using var server = await RegistryProcess.StartReadyAsync(Path.Combine(work.Path, "data"), log, $"--Registry:Auth:ConfigPath={ExampleConfig}");
        var host = $"127.0.0.1:{server.HttpPort}";
        var runRoot = Path.Combine("/tmp", $"ora-{Guid.NewGuid():N}"[..12]);
        try
        {
            var env = await PodmanEnvironmentAsync(work.Path, runRoot, host);
            Task<(int ExitCode, string Output)> Podman(params string[] args) => ExternalTool.RunAsync(log, "podman", env, args);

            // The image to push comes from the OCI layout into podman's own storage.
            var imported = await Podman("pull", $"oci:{FixtureLayout}:latest");
            Assert.True(imported.ExitCode == 0, imported.Output);
            var imageId = imported.Output.Split('\n')[0].Trim();
            Assert.Matches("^[0-9a-f]{64}$", imageId);

            var wrong = await Podman("login", "--tls-verify=false", "-u", "alice", "-p", "wrong-password", host);
            Assert.NotEqual(0, wrong.ExitCode);
            Assert.Matches("(?i)invalid username/password|unauthorized", wrong.Output);
            Assert.DoesNotContain(host, await File.ReadAllTextAsync(env["REGISTRY_AUTH_FILE"]));

            var login = await Podman("login", "--tls-verify=false", "-u", "alice", "-p", "alice-pass", host);
            Assert.True(login.ExitCode == 0, login.Output);
            Assert.Contains(host, await File.ReadAllTextAsync(env["REGISTRY_AUTH_FILE"]));

            foreach (var repository in new[] { "team/podman", "public/podman" })
            {
                Assert.Equal(0, (await Podman("tag", imageId, $"{host}/{repository}:v1")).ExitCode);
                var push = await Podman("push", "--tls-verify=false", $"{host}/{repository}:v1");
                Assert.True(push.ExitCode == 0, push.Output);
            }

            Assert.Equal(0, (await Podman("rmi", "--all", "--force")).ExitCode);
            var pull = await Podman("pull", "--tls-verify=false", $"{host}/team/podman:v1");
            Assert.True(pull.ExitCode == 0, pull.Output);
            Assert.Equal(imageId, (await Podman("image", "inspect", "--format", "{{.Id}}", $"{host}/team/podman:v1")).Output.Trim());

            // bob may pull team/* but not push there.
            Assert.Equal(0, (await Podman("logout", host)).ExitCode);
            Assert.Equal(0, (await Podman("login", "--tls-verify=false", "-u", "bob", "-p", "bob-pass", host)).ExitCode);
            Assert.Equal(0, (await Podman("rmi", "--all", "--force")).ExitCode);
            var bobPull = await Podman("pull", "--tls-verify=false", $"{host}/team/podman:v1");
            Assert.True(bobPull.ExitCode == 0, bobPull.Output);
            Assert.Equal(0, (await Podman("tag", imageId, $"{host}/team/bob:v1")).ExitCode);
            var bobPush = await Podman("push", "--tls-verify=false", $"{host}/team/bob:v1");
            Assert.NotEqual(0, bobPush.ExitCode);
            Assert.Matches("(?i)denied|unauthorized", bobPush.Output);

            // Logged out: the public image pulls anonymously, the private one does not.
            Assert.Equal(0, (await Podman("logout", host)).ExitCode);
            Assert.Equal(0, (await Podman("rmi", "--all", "--force")).ExitCode);
            var anonymousPublic = await Podman("pull", "--tls-verify=false", $"{host}/public/podman:v1");
            Assert.True(anonymousPublic.ExitCode == 0, anonymousPublic.Output);
            var anonymousPrivate = await Podman("pull", "--tls-verify=false", $"{host}/team/podman:v1");
            Assert.NotEqual(0, anonymousPrivate.ExitCode);
            Assert.Matches("(?i)denied|unauthorized", anonymousPrivate.Output);

            Assert.DoesNotContain("alice-pass", server.Output);
            Assert.DoesNotContain("wrong-password", server.Output);
            Assert.Contains("security: failed login for alice", server.Output);
        }
        finally
        {
            Directory.Delete(runRoot, recursive: true);
        }
    }

    [Fact]
    public async Task Docker_logs_in_pushes_pulls_and_logs_out_and_pulls_a_public_image_anonymously()
    {
        Assert.True(Directory.Exists(FixtureLayout), $"missing {FixtureLayout}: run ../shared/e2e/setup.sh");
        using var work = new TempDirectory();
        await using var server = await RegistryProcess.StartReadyAsync(Path.Combine(work.Path, "data"), log, $"--Registry:Auth:ConfigPath={ExampleConfig}");
        await using var docker = await PrivateDockerd.StartAsync(Path.Combine(work.Path, "dkd"), log);
        var host = $"127.0.0.1:{server.HttpPort}";
        Task<(int ExitCode, string Output)> Docker(params string[] args) => docker.RunAsync(args);
        string Config() => File.Exists(docker.ConfigPath) ? File.ReadAllText(docker.ConfigPath) : "";

        // The image comes from the OCI layout through a docker archive into the daemon.
        var archive = Path.Combine(work.Path, "tiny.tar");
        var copied = await ExternalTool.RunAsync(log, "skopeo", new Dictionary<string, string>(), "copy", "-q",
            $"oci:{FixtureLayout}:latest", $"docker-archive:{archive}:{host}/team/docker:v1");
        Assert.True(copied.ExitCode == 0, copied.Output);
        var loaded = await Docker("load", "-q", "-i", archive);
        Assert.True(loaded.ExitCode == 0, loaded.Output);
        Assert.Equal(0, (await Docker("tag", $"{host}/team/docker:v1", $"{host}/public/docker:v1")).ExitCode);
        var imageId = (await Docker("image", "inspect", "--format", "{{.Id}}", $"{host}/team/docker:v1")).Output.Trim();

        var wrong = await Docker("login", "-u", "alice", "-p", "wrong-password", host);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Matches("(?i)unauthorized|incorrect username or password", wrong.Output);
        Assert.DoesNotContain(host, Config());

        var login = await Docker("login", "-u", "alice", "-p", "alice-pass", host);
        Assert.True(login.ExitCode == 0, login.Output);
        Assert.Contains(host, Config());
        foreach (var repository in new[] { "team/docker", "public/docker" })
        {
            var push = await Docker("push", $"{host}/{repository}:v1");
            Assert.True(push.ExitCode == 0, push.Output);
        }

        Assert.Equal(0, (await Docker("rmi", "-f", imageId)).ExitCode);
        var pull = await Docker("pull", $"{host}/team/docker:v1");
        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.Equal(imageId, (await Docker("image", "inspect", "--format", "{{.Id}}", $"{host}/team/docker:v1")).Output.Trim());

        // bob may pull team/* but not push there.
        Assert.Equal(0, (await Docker("logout", host)).ExitCode);
        Assert.DoesNotContain(host, Config());
        Assert.Equal(0, (await Docker("login", "-u", "bob", "-p", "bob-pass", host)).ExitCode);
        Assert.Equal(0, (await Docker("rmi", "-f", imageId)).ExitCode);
        var bobPull = await Docker("pull", $"{host}/team/docker:v1");
        Assert.True(bobPull.ExitCode == 0, bobPull.Output);
        Assert.Equal(0, (await Docker("tag", $"{host}/team/docker:v1", $"{host}/team/bob:v1")).ExitCode);
        var bobPush = await Docker("push", $"{host}/team/bob:v1");
        Assert.NotEqual(0, bobPush.ExitCode);
        Assert.Matches("(?i)denied|unauthorized", bobPush.Output);

        // Logged out: the public image pulls anonymously; the private one does not, and nothing is pushed.
        Assert.Equal(0, (await Docker("logout", host)).ExitCode);
        Assert.Equal(0, (await Docker("rmi", "-f", imageId)).ExitCode);
        var anonymousPublic = await Docker("pull", $"{host}/public/docker:v1");
        Assert.True(anonymousPublic.ExitCode == 0, anonymousPublic.Output);
        var anonymousPrivate = await Docker("pull", $"{host}/team/docker:v1");
        Assert.NotEqual(0, anonymousPrivate.ExitCode);
        Assert.Matches("(?i)denied|unauthorized|not found", anonymousPrivate.Output);
        Assert.Equal(0, (await Docker("tag", $"{host}/public/docker:v1", $"{host}/public/anonymous:v1")).ExitCode);
        var anonymousPush = await Docker("push", $"{host}/public/anonymous:v1");
        Assert.NotEqual(0, anonymousPush.ExitCode);
        Assert.Matches("(?i)denied|unauthorized", anonymousPush.Output);

        Assert.DoesNotContain("alice-pass", server.Output);
        Assert.DoesNotContain("wrong-password", server.Output);
        Assert.Contains("security: failed login for alice", server.Output);
    }

    [Fact]
    public async Task Ctr_pushes_and_pulls_with_user_credentials_through_the_challenge()
    {
        Assert.True(File.Exists(FixtureArchive), $"missing {FixtureArchive}: run ../shared/e2e/setup.sh");
        using var work = new TempDirectory();
        await using var server = await RegistryProcess.StartReadyAsync(Path.Combine(work.Path, "data"), log, $"--Registry:Auth:ConfigPath={ExampleConfig}");
        await using var containerd = await PrivateContainerd.StartAsync(Path.Combine(work.Path, "ctd"), log);
        var host = $"127.0.0.1:{server.HttpPort}";
        var reference = $"{host}/team/ctr:latest";
        Task<(int ExitCode, string Output)> Ctr(params string[] args) => ExternalTool.RunAsync(log, "ctr", containerd.Environment, args);

        var import = await Ctr("-n", "push", "images", "import", "--no-unpack", "--base-name", $"{host}/team/ctr", FixtureArchive);
        Assert.True(import.ExitCode == 0, import.Output);

        var anonymousPush = await Ctr("-n", "push", "images", "push", "--plain-http", reference);
        Assert.NotEqual(0, anonymousPush.ExitCode);

        var bobPush = await Ctr("-n", "push", "images", "push", "--plain-http", "--user", "bob:bob-pass", reference);
        Assert.NotEqual(0, bobPush.ExitCode);

        var push = await Ctr("-n", "push", "images", "push", "--plain-http", "--user", "alice:alice-pass", reference);
        Assert.True(push.ExitCode == 0, push.Output);

        var pull = await Ctr("-n", "pull", "images", "pull", "--plain-http", "--user", "bob:bob-pass", reference);
        Assert.True(pull.ExitCode == 0, pull.Output);
        var listed = (await Ctr("-n", "pull", "images", "ls")).Output;
        Assert.Matches($@"{Regex.Escape(reference)}\s+\S+\s+{TinyManifestDigest}", listed);
        var check = (await Ctr("-n", "pull", "images", "check")).Output;
        Assert.Matches(@"complete \(\d+/\d+\)\s+.*true", check);

        var wrongPassword = await Ctr("-n", "wrong", "images", "pull", "--plain-http", "--user", "bob:nope", reference);
        Assert.NotEqual(0, wrongPassword.ExitCode);

        var anonymous = await Ctr("-n", "anonymous", "images", "pull", "--plain-http", reference);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Matches("(?i)denied|unauthorized|insufficient_scope", anonymous.Output);

        Assert.DoesNotContain("alice-pass", server.Output);
        Assert.DoesNotContain("bob-pass", server.Output);
    }

    /// <summary>The private configuration e2e.sh writes for podman: vfs storage, the registry insecure, runc, a private auth file.</summary>
    private static async Task<Dictionary<string, string>> PodmanEnvironmentAsync(string work, string runRoot, string host)
    {
        Directory.CreateDirectory(Path.Combine(work, "podman-tmp"));
        Directory.CreateDirectory(Path.Combine(work, "tmp"));
        Directory.CreateDirectory(runRoot);
        await File.WriteAllTextAsync(Path.Combine(work, "registries.conf"), $"""
            unqualified-search-registries = []
            [[registry]]
            location = "{host}"
            insecure = true
            """);
        await File.WriteAllTextAsync(Path.Combine(work, "storage.conf"), $"""
            [storage]
            driver = "vfs"
            graphroot = "{work}/storage/root"
            runroot = "{runRoot}"
            """);
        await File.WriteAllTextAsync(Path.Combine(work, "containers.conf"), $"""
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            tmp_dir = "{work}/podman-tmp"
            """);
        // podman reads the auth file before anything else: it must exist.
        await File.WriteAllTextAsync(Path.Combine(work, "auth.json"), "{}");
        return new Dictionary<string, string>
        {
            ["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(work, "registries.conf"),
            ["CONTAINERS_STORAGE_CONF"] = Path.Combine(work, "storage.conf"),
            ["CONTAINERS_CONF"] = Path.Combine(work, "containers.conf"),
            ["REGISTRY_AUTH_FILE"] = Path.Combine(work, "auth.json"),
            ["DOCKER_CONFIG"] = Path.Combine(work, "docker"),
            ["TMPDIR"] = Path.Combine(work, "tmp"),
            ["HOME"] = work,
        };
    }
}
