using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Policies;

/// <summary>Retention through the real server: dry and real runs, immutable tags, untagged manifests, the audit log, the admin API, the configuration's rules.</summary>
public sealed class RetentionTests(PolicyServer fixture) : IClassFixture<PolicyServer>
{
    private RegistryServer Server => fixture.Server;

    [Fact]
    public async Task A_dry_run_lists_exactly_the_tags_no_rule_keeps_and_deletes_nothing_then_a_run_deletes_them_as_retention_with_the_reason()
    {
        var prefix = Prefix();
        var repo = $"{prefix}/app";
        using var client = await PusherAsync(repo);
        var digests = new Dictionary<string, string>();
        foreach (var tag in new[] { "release-1", "a", "b", "c", "d" })
        {
            digests[tag] = (await client.PushImageAsync(repo, tag)).Digest;
        }

        await PutRuleAsync($"{prefix}/*", new { keepLastPushed = 2, keepTags = new[] { "release-*" } });

        var dry = await RunAsync($"{prefix}/*", dryRun: true);
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        var planned = Assert.Single(dry.GetProperty("removals").EnumerateArray());
        Assert.Equal(repo, planned.GetProperty("repository").GetString());
        Assert.Equal(["a", "b"], Tags(planned, "would-delete"));
        Assert.All(planned.GetProperty("tags").EnumerateArray(), t => Assert.Equal(digests[t.GetProperty("tag").GetString()!], t.GetProperty("digest").GetString()));
        Assert.Empty(planned.GetProperty("manifests").EnumerateArray());
        Assert.Equal(3, dry.GetProperty("tagsKept").GetInt32());
        Assert.Equal(["a", "b", "c", "d", "release-1"], await TagListAsync(client, repo));

        var real = await RunAsync($"{prefix}/*", dryRun: false);
        Assert.Equal(["a", "b"], Tags(real.GetProperty("removals")[0], "deleted"));
        Assert.Equal(2, real.GetProperty("tagsDeleted").GetInt32());
        Assert.Equal(["c", "d", "release-1"], await TagListAsync(client, repo));
        Assert.Equal(digests["a"], await ManifestAsync(client, repo, digests["a"]));

        var audit = await AuditAsync(repo, "tag.delete", atLeast: 2);
        Assert.Equal(["a", "b"], audit.Select(e => e.GetProperty("reference").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(audit, e =>
        {
            Assert.Equal("retention", e.GetProperty("actor").GetString());
            Assert.StartsWith($"retention rule of {prefix}/*: kept by no rule", e.GetProperty("reason").GetString());
        });

        using var root = Server.Root();
        using var shown = await root.GetFromJsonAsync<JsonDocument>($"/api/v1/namespaces/{prefix}/*/retention");
        var runs = shown!.RootElement.GetProperty("runs");
        Assert.Equal([false, true], runs.EnumerateArray().Select(r => r.GetProperty("dryRun").GetBoolean()));
        Assert.Equal("1.00:00:00", shown.RootElement.GetProperty("schedule").GetString());
    }

    [Fact]
    public async Task An_immutable_tag_is_never_removed()
    {
        var prefix = Prefix();
        var repo = $"{prefix}/app";
        using var root = Server.Root();
        using (var immutable = await root.PutAsJsonAsync($"/api/v1/namespaces/{prefix}/*/immutability", new { tags = new[] { "v*" } }))
        {
            Assert.Equal(HttpStatusCode.Created, immutable.StatusCode);
        }

        using var client = await PusherAsync(repo);
        foreach (var tag in new[] { "v1", "x", "y" })
        {
            await client.PushImageAsync(repo, tag);
        }

        await PutRuleAsync($"{prefix}/*", new { keepLastPushed = 1, removeUntagged = true });
        var run = await RunAsync($"{prefix}/*", dryRun: false);

        Assert.Equal(["x"], Tags(run.GetProperty("removals")[0], "deleted"));
        Assert.Equal(["v1", "y"], await TagListAsync(client, repo));
    }

    [Fact]
    public async Task RemoveUntagged_deletes_the_manifests_the_run_left_untagged_but_not_one_still_tagged_or_just_pushed()
    {
        var prefix = Prefix();
        var repo = $"{prefix}/app";
        using var client = await PusherAsync(repo);
        var (shared, sharedDigest) = await client.PushImageAsync(repo, "old");
        using (var alias = await client.PutManifestAsync(repo, "new", shared, OciClient.OciManifest))
        {
            Assert.Equal(HttpStatusCode.Created, alias.StatusCode);
        }

        var (_, gone) = await client.PushImageAsync(repo, "older");
        var (_, untaggedDigest) = await client.PushImageAsync(repo, "scratch");
        using (var untag = await client.DeleteAsync($"/v2/{repo}/manifests/scratch"))
        {
            Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
        }

        await PutRuleAsync($"{prefix}/*", new { keepTags = new[] { "new" }, removeUntagged = true });
        var run = await RunAsync($"{prefix}/*", dryRun: false);

        var removals = run.GetProperty("removals")[0];
        Assert.Equal(["old", "older"], Tags(removals, "deleted"));
        var manifest = Assert.Single(removals.GetProperty("manifests").EnumerateArray());
        Assert.Equal(gone, manifest.GetProperty("digest").GetString());
        Assert.Contains("left untagged", manifest.GetProperty("reason").GetString());
        Assert.Equal(["new"], await TagListAsync(client, repo));
        using (var deleted = await client.GetAsync($"/v2/{repo}/manifests/{gone}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        }

        Assert.Equal(sharedDigest, await ManifestAsync(client, repo, sharedDigest));
        Assert.Equal(untaggedDigest, await ManifestAsync(client, repo, untaggedDigest));
        Assert.Single(await AuditAsync(repo, "delete", atLeast: 1));
    }

    [Theory]
    [InlineData("Bad/*", """{"keepLastPushed":2}""")]
    [InlineData("ok/*", """{}""")]
    [InlineData("ok/*", """{"removeUntagged":false}""")]
    [InlineData("ok/*", """{"keepLastPushed":0}""")]
    [InlineData("ok/*", """{"keepLastPushed":true}""")]
    [InlineData("ok/*", """{"keepPushedWithinDays":-1}""")]
    [InlineData("ok/*", """{"keepPulledWithinDays":1.5}""")]
    [InlineData("ok/*", """{"keepTags":["v/1"]}""")]
    [InlineData("ok/*", """{"keepTags":"v*"}""")]
    [InlineData("ok/*", """{"keepLastPushed":2,"schedule":"soon"}""")]
    [InlineData("ok/*", """{"keepLastPushed":2,"schedule":"00:00:10"}""")]
    [InlineData("ok/*", """{"keepLast":2}""")]
    [InlineData("ok/*", """{"keepLastPushed":2,"namespace":"other/*"}""")]
    [InlineData("ok/*", """{"keepLastPushed":2""")]
    [InlineData("ok/*", "")]
    public async Task Bad_input_is_400_with_an_oci_error_body(string pattern, string body)
    {
        using var root = Server.Root();
        await root.AssertPutIsBadRequestAsync($"/api/v1/namespaces/{pattern}/retention", body);
    }

    [Fact]
    public async Task A_run_of_a_namespace_without_a_rule_is_404_and_a_body_that_is_not_json_is_400()
    {
        using var root = Server.Root();
        using (var none = await root.PostAsJsonAsync($"/api/v1/namespaces/{Prefix()}/*/retention/run", new { dryRun = true }))
        {
            Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            Assert.Equal("NAME_UNKNOWN", await none.ErrorCodeAsync());
        }

        var pattern = $"{Prefix()}/*";
        await PutRuleAsync(pattern, new { keepLastPushed = 1 });
        using var bad = await root.PostAsync($"/api/v1/namespaces/{pattern}/retention/run", new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        await root.DeleteRuleAsync($"/api/v1/namespaces/{pattern}/retention");
    }

    [Fact]
    public async Task Only_admins_manage_and_run_rules()
    {
        var pattern = $"{Prefix()}/*";
        await PolicyRequests.AssertAdminOnlyAsync(Server, $"/api/v1/namespaces/{pattern}/retention", new { keepLastPushed = 1 });
        await PutRuleAsync(pattern, new { keepLastPushed = 1 });
        using var alice = Server.CreateClient();
        alice.DefaultRequestHeaders.Authorization = AuthClient.Basic("alice", "alice-pass");
        using var run = await alice.PostAsJsonAsync($"/api/v1/namespaces/{pattern}/retention/run", new { dryRun = true });
        Assert.Equal(HttpStatusCode.Forbidden, run.StatusCode);
    }

    [Fact]
    public async Task The_rules_declared_in_the_configuration_file_and_in_the_settings_apply()
    {
        using var root = Server.Root();
        using var file = await root.GetFromJsonAsync<JsonDocument>("/api/v1/namespaces/kept/*/retention");
        Assert.Equal(3, file!.RootElement.GetProperty("keepLastPushed").GetInt32());
        Assert.True(file.RootElement.GetProperty("removeUntagged").GetBoolean());
        Assert.Equal("configuration", file.RootElement.GetProperty("source").GetString());

        using var settings = await root.GetFromJsonAsync<JsonDocument>("/api/v1/namespaces/trimmed/app/retention");
        Assert.Equal(["v*"], settings!.RootElement.GetProperty("keepTags").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal("12:00:00", settings.RootElement.GetProperty("schedule").GetString());
    }

    private static string Prefix() => $"ret{Guid.NewGuid():N}"[..16];

    private Task<HttpClient> PusherAsync(string repo) => Server.AsAsync("root", "root-pass", $"repository:{repo}:pull,push,delete");

    private async Task PutRuleAsync(string pattern, object rule)
    {
        using var root = Server.Root();
        using var put = await root.PutAsJsonAsync($"/api/v1/namespaces/{pattern}/retention", rule);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    private async Task<JsonElement> RunAsync(string pattern, bool dryRun)
    {
        using var root = Server.Root();
        using var response = await root.PostAsJsonAsync($"/api/v1/namespaces/{pattern}/retention/run", new { dryRun });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        return json.RootElement.Clone();
    }

    /// <summary>The tags of a repository's removals whose outcome is <paramref name="outcome"/> (each must be).</summary>
    private static string[] Tags(JsonElement removals, string outcome)
    {
        var tags = removals.GetProperty("tags").EnumerateArray().ToArray();
        Assert.All(tags, t => Assert.Equal(outcome, t.GetProperty("outcome").GetString()));
        return [.. tags.Select(t => t.GetProperty("tag").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static async Task<string[]> TagListAsync(HttpClient client, string repo)
    {
        using var json = await client.GetFromJsonAsync<JsonDocument>($"/v2/{repo}/tags/list");
        return [.. json!.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal)];
    }

    /// <summary>The digest a GET of the manifest answers (it must be found).</summary>
    private static async Task<string?> ManifestAsync(HttpClient client, string repo, string digest)
    {
        using var response = await client.GetAsync($"/v2/{repo}/manifests/{digest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Header("Docker-Content-Digest");
    }

    /// <summary>The audit entries of <paramref name="action"/> in <paramref name="repo"/>, once there are <paramref name="atLeast"/> (the log is written behind the events).</summary>
    private async Task<JsonElement[]> AuditAsync(string repo, string action, int atLeast)
    {
        using var root = Server.Root();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var json = await root.GetFromJsonAsync<JsonDocument>($"/api/v1/audit?repository={Uri.EscapeDataString(repo)}&action={action}");
            var entries = json!.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.Clone()).ToArray();
            if (entries.Length >= atLeast || DateTime.UtcNow > deadline)
            {
                return entries;
            }

            await Task.Delay(100);
        }
    }
}
