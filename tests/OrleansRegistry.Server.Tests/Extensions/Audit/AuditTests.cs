using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Audit;

/// <summary>The audit log through the real server: refused requests, failed logins, admin changes and writes.</summary>
public sealed class AuditTests(AuthServer fixture) : IClassFixture<AuthServer>
{
    private RegistryServer Server => fixture.Server;

    [Fact]
    public async Task An_anonymous_push_refused_by_auth_is_in_the_audit_log_as_denied_with_the_address()
    {
        var repo = $"team/audit-{Guid.NewGuid():N}";
        using var anonymous = Server.CreateClient();
        using var refused = await anonymous.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var entry = Assert.Single(await EntriesAsync($"repository={Uri.EscapeDataString(repo)}", 1));
        Assert.Equal("denied", entry.GetProperty("decision").GetString());
        Assert.Equal("anonymous", entry.GetProperty("actor").GetString());
        Assert.Equal("127.0.0.1", entry.GetProperty("address").GetString());
        Assert.Equal("push", entry.GetProperty("action").GetString());
        Assert.Equal("401 unauthorized", entry.GetProperty("reason").GetString());
        Assert.False(string.IsNullOrEmpty(entry.GetProperty("requestId").GetString()));
    }

    [Fact]
    public async Task Writes_failed_logins_and_admin_changes_are_recorded_without_any_secret()
    {
        var repo = $"team/audit-{Guid.NewGuid():N}";
        using var alice = await Server.AsAsync("alice", "alice-pass", $"repository:{repo}:pull,push");
        var (_, digest) = await alice.PushImageAsync(repo, "v1");

        using var anonymous = Server.CreateClient();
        var user = $"mallory{Guid.NewGuid():N}"[..16];
        using (var login = new HttpRequestMessage(HttpMethod.Get, "/token?service=orleans-registry"))
        {
            login.Headers.Authorization = AuthClient.Basic(user, "guess-the-password");
            using var failed = await anonymous.SendAsync(login);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var root = Root();
        var ns = $"audit{Guid.NewGuid():N}"[..16] + "/*";
        using (var put = await root.PutAsJsonAsync($"/api/v1/namespaces/{ns}", new { visibility = "public" }))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var push = Assert.Single(await EntriesAsync($"repository={Uri.EscapeDataString(repo)}&action=push", 1));
        Assert.Equal("allowed", push.GetProperty("decision").GetString());
        Assert.Equal("alice", push.GetProperty("actor").GetString());
        Assert.Equal(digest, push.GetProperty("digest").GetString());
        Assert.Equal("v1", push.GetProperty("reference").GetString());

        var login2 = Assert.Single(await EntriesAsync($"actor={user}", 1));
        Assert.Equal("login", login2.GetProperty("action").GetString());
        Assert.Equal("denied", login2.GetProperty("decision").GetString());

        var admin = await EntriesAsync("actor=root&action=admin", 1);
        Assert.Contains(admin, e => e.GetProperty("reason").GetString()!.Contains(ns[..^2], StringComparison.Ordinal));

        var files = Directory.GetFiles(Path.Combine(Server.DataPath, "logs", "audit"), "*.jsonl");
        var text = string.Concat(files.Select(File.ReadAllText));
        Assert.DoesNotContain("guess-the-password", text);
        Assert.DoesNotContain("alice-pass", text);
        Assert.DoesNotContain("Bearer", text);
    }

    [Fact]
    public async Task Only_admins_read_the_audit_log_and_bad_queries_are_400()
    {
        using var bob = Server.CreateClient();
        bob.DefaultRequestHeaders.Authorization = AuthClient.Basic("bob", "bob-pass");
        using var denied = await bob.GetAsync("/api/v1/audit");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        using var root = Root();
        using var badLimit = await root.GetAsync("/api/v1/audit?limit=5000");
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        using var badSince = await root.GetAsync("/api/v1/audit?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badSince.StatusCode);

        // Bob's refusal is itself in the log.
        Assert.NotEmpty(await EntriesAsync("actor=bob&action=admin", 1));
    }

    private HttpClient Root()
    {
        var root = Server.CreateClient();
        root.DefaultRequestHeaders.Authorization = AuthClient.Basic("root", "root-pass");
        return root;
    }

    private async Task<List<JsonElement>> EntriesAsync(string query, int atLeast)
    {
        using var root = Root();
        return await root.PollListAsync($"/api/v1/audit?{query}", "entries", entries => entries.Count >= atLeast);
    }
}
