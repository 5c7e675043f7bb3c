using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using OrleansRegistry.Extensions.Policies.Immutability;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Policies;

/// <summary>Immutable tags through the real server: the admin API, the write path's refusals, the configuration's rules.</summary>
public sealed class ImmutabilityTests(PolicyServer fixture) : IClassFixture<PolicyServer>
{
    private RegistryServer Server => fixture.Server;

    [Fact]
    public async Task An_immutable_tag_is_created_once_and_then_neither_moved_nor_deleted_while_other_tags_move_freely()
    {
        var prefix = Prefix();
        var repo = $"{prefix}/app";
        await PutRuleAsync($"{prefix}/*", "v*");
        using var client = await PusherAsync(repo);

        var (first, firstDigest) = await client.PushImageAsync(repo, "v1");
        using (var again = await client.PutManifestAsync(repo, "v1", first, OciClient.OciManifest))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }

        var (second, secondDigest) = await client.PushImageAsync(repo, "latest");
        using (var moved = await client.PutManifestAsync(repo, "v1", second, OciClient.OciManifest))
        {
            await PolicyRequests.AssertDeniedAsync(moved, $"rule of {prefix}/*: v*");
        }

        Assert.Equal(firstDigest, await client.DigestOfAsync(repo, "v1"));
        using (var deleteTag = await client.DeleteAsync($"/v2/{repo}/manifests/v1"))
        {
            await PolicyRequests.AssertDeniedAsync(deleteTag, "cannot be deleted");
        }

        using (var deleteManifest = await client.DeleteAsync($"/v2/{repo}/manifests/{firstDigest}"))
        {
            await PolicyRequests.AssertDeniedAsync(deleteManifest, $"is tagged 'v1', which is immutable (rule of {prefix}/*: v*)");
        }

        using (var latest = await client.PutManifestAsync(repo, "latest", first, OciClient.OciManifest))
        {
            Assert.Equal(HttpStatusCode.Created, latest.StatusCode);
        }

        using (var deleteLatest = await client.DeleteAsync($"/v2/{repo}/manifests/latest"))
        {
            Assert.Equal(HttpStatusCode.Accepted, deleteLatest.StatusCode);
        }

        using (var untagged = await client.DeleteAsync($"/v2/{repo}/manifests/{secondDigest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, untagged.StatusCode);
        }

        Assert.Equal(firstDigest, await client.DigestOfAsync(repo, "v1"));
    }

    [Fact]
    public async Task A_repository_outside_the_pattern_is_unaffected()
    {
        var prefix = Prefix();
        await PutRuleAsync($"{prefix}/*", "v*");
        var repo = $"{Prefix()}/app";
        using var client = await PusherAsync(repo);
        await client.PushImageAsync(repo, "v1");
        await client.PushImageAsync(repo, "v1");
        using var delete = await client.DeleteAsync($"/v2/{repo}/manifests/v1");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
    }

    [Fact]
    public async Task A_rule_is_put_read_replaced_and_deleted_and_each_change_is_in_the_audit_log()
    {
        var prefix = Prefix();
        var pattern = $"{prefix}/*";
        var repo = $"{prefix}/app";
        using var root = Root();
        using (var created = await root.PutAsJsonAsync($"/api/v1/namespaces/{pattern}/immutability", new { tags = new[] { "v*" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            await AssertRuleAsync(created, pattern, ["v*"], "api");
        }

        using (var replaced = await root.PutAsJsonAsync($"/api/v1/namespaces/{pattern}/immutability", new { tags = new[] { "v*", "v*", "release-*" } }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            await AssertRuleAsync(replaced, pattern, ["v*", "release-*"], "api");
        }

        using (var read = await root.GetAsync($"/api/v1/namespaces/{pattern}/immutability"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            await AssertRuleAsync(read, pattern, ["v*", "release-*"], "api");
        }

        using var client = await PusherAsync(repo);
        await client.PushImageAsync(repo, "release-1");
        var (other, _) = await client.PushImageAsync(repo, "latest");
        using (var moved = await client.PutManifestAsync(repo, "release-1", other, OciClient.OciManifest))
        {
            await PolicyRequests.AssertDeniedAsync(moved, "release-*");
        }

        await root.DeleteRuleAsync($"/api/v1/namespaces/{pattern}/immutability");

        using (var again = await root.DeleteAsync($"/api/v1/namespaces/{pattern}/immutability"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        using (var movedNow = await client.PutManifestAsync(repo, "release-1", other, OciClient.OciManifest))
        {
            Assert.Equal(HttpStatusCode.Created, movedNow.StatusCode);
        }

        var admin = await AuditAsync(prefix, atLeast: 3);
        Assert.Equal(["DELETE", "PUT", "PUT"], admin.Select(reason => reason.Split(' ')[0]));
    }

    [Fact]
    public async Task Only_admins_manage_rules()
    {
        var path = $"/api/v1/namespaces/{Prefix()}/*/immutability";
        await PolicyRequests.AssertAdminOnlyAsync(Server, path, new { tags = new[] { "v*" } });
    }

    [Theory]
    [InlineData("Bad/*", """{"tags":["v*"]}""")]
    [InlineData("team/**", """{"tags":["v*"]}""")]
    [InlineData("ok/*", """{"tags":["v/1"]}""")]
    [InlineData("ok/*", """{"tags":["v[0-9]"]}""")]
    [InlineData("ok/*", """{"tags":[""]}""")]
    [InlineData("ok/*", """{"tags":[null]}""")]
    [InlineData("ok/*", """{"tags":[]}""")]
    [InlineData("ok/*", """{}""")]
    [InlineData("ok/*", """{"tags":"v*"}""")]
    [InlineData("ok/*", """{"tags":["v*"]""")]
    [InlineData("ok/*", "")]
    public async Task Bad_input_is_400_with_an_oci_error_body(string pattern, string body)
    {
        using var root = Root();
        await root.AssertPutIsBadRequestAsync($"/api/v1/namespaces/{pattern}/immutability", body);
    }

    [Fact]
    public async Task Too_many_globs_and_bad_patterns_on_get_and_delete_are_400()
    {
        using var root = Root();
        using (var many = await root.PutAsJsonAsync($"/api/v1/namespaces/{Prefix()}/*/immutability",
            new { tags = Enumerable.Range(0, ImmutabilityRuleInput.MaxTags + 1).Select(i => $"v{i}") }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        }

        using (var get = await root.GetAsync("/api/v1/namespaces/Bad/*/immutability"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
        }

        using var delete = await root.DeleteAsync("/api/v1/namespaces/a___b/*/immutability");
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode);
    }

    [Fact]
    public async Task The_rules_declared_in_the_configuration_file_and_in_the_settings_apply()
    {
        using var root = Root();
        using (var file = await root.GetAsync("/api/v1/namespaces/fixed/*/immutability"))
        {
            await AssertRuleAsync(file, "fixed/*", ["stable"], "configuration");
        }

        using (var settings = await root.GetAsync("/api/v1/namespaces/pinned/app/immutability"))
        {
            await AssertRuleAsync(settings, "pinned/app", ["*"], "configuration");
        }

        foreach (var (repo, tag) in new[] { ($"fixed/{Guid.NewGuid():N}", "stable"), ("pinned/app", $"t{Guid.NewGuid():N}") })
        {
            using var client = await PusherAsync(repo);
            await client.PushImageAsync(repo, tag);
            var (other, _) = await client.PushImageAsync(repo, $"scratch-{Guid.NewGuid():N}");
            using var moved = await client.PutManifestAsync(repo, tag, other, OciClient.OciManifest);
            await PolicyRequests.AssertDeniedAsync(moved, $"'{tag}' is immutable");
        }
    }

    [Fact]
    public async Task A_rule_stored_elsewhere_than_through_this_silo_is_enforced_within_the_refresh_interval()
    {
        var prefix = Prefix();
        var repo = $"{prefix}/app";
        using var client = await PusherAsync(repo);
        var (first, _) = await client.PushImageAsync(repo, "v1");
        var (second, _) = await client.PushImageAsync(repo, "latest");

        // As another silo's admin API would: straight to the grain, not through this silo's copy.
        var grains = Server.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IImmutabilityGrain>(IImmutabilityGrain.Key).Put(new ImmutabilityRule { Pattern = $"{prefix}/*", Tags = ["v*"] });

        var clock = Stopwatch.StartNew();
        var next = second;
        while (true)
        {
            using var push = await client.PutManifestAsync(repo, "v1", next, OciClient.OciManifest);
            if (push.StatusCode == HttpStatusCode.Forbidden)
            {
                break;
            }

            Assert.Equal(HttpStatusCode.Created, push.StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the rule was not enforced within 10 s");
            next = next == second ? first : second;
            await Task.Delay(100);
        }
    }

    private static string Prefix() => $"imm{Guid.NewGuid():N}"[..16];

    private HttpClient Root() => Server.Root();

    private Task<HttpClient> PusherAsync(string repo) => Server.AsAsync("root", "root-pass", $"repository:{repo}:pull,push,delete");

    private async Task PutRuleAsync(string pattern, params string[] tags)
    {
        using var root = Root();
        using var put = await root.PutAsJsonAsync($"/api/v1/namespaces/{pattern}/immutability", new { tags });
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }


    private static async Task AssertRuleAsync(HttpResponseMessage response, string pattern, string[] tags, string source)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        using var json = await response.ReadJsonAsync();
        Assert.Equal(pattern, json.RootElement.GetProperty("namespace").GetString());
        Assert.Equal(tags, json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal(source, json.RootElement.GetProperty("source").GetString());
    }

    /// <summary>The reasons of root's admin entries about <paramref name="prefix"/>, newest first.</summary>
    private async Task<List<string>> AuditAsync(string prefix, int atLeast)
    {
        using var root = Root();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var response = await root.GetAsync("/api/v1/audit?actor=root&action=admin");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = await response.ReadJsonAsync();
            var reasons = json.RootElement.GetProperty("entries").EnumerateArray()
                .Select(e => e.GetProperty("reason").GetString()!).Where(r => r.Contains(prefix, StringComparison.Ordinal)).ToList();
            if (reasons.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return reasons;
            }

            await Task.Delay(100);
        }
    }
}
