using OrleansRegistry.Grains.Auth;
using OrleansRegistry.Contracts.Auth;
using OrleansRegistry.Server.Auth;

namespace OrleansRegistry.Server.Tests.Auth;

public sealed class AccessPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly AccessPolicy Policy = new(new AuthSnapshot
    {
        Version = 1,
        Users =
        [
            new UserRecord { Name = "alice", PasswordHash = "x" },
            new UserRecord { Name = "bob", PasswordHash = "x" },
            new UserRecord { Name = "root", PasswordHash = "x", Admin = true },
        ],
        Robots =
        [
            new RobotRecord { Name = "robot$ci", SecretSha256 = new string('a', 64), ExpiresAt = Now.AddDays(1) },
            new RobotRecord { Name = "robot$old", SecretSha256 = new string('b', 64), ExpiresAt = Now.AddSeconds(-1) },
        ],
        Namespaces =
        [
            new NamespaceRecord
            {
                Pattern = "team/*",
                Grants =
                [
                    new GrantRecord { Subject = "alice", Roles = NamespaceRole.Pull | NamespaceRole.Push | NamespaceRole.Delete },
                    new GrantRecord { Subject = "bob", Roles = NamespaceRole.Pull },
                    new GrantRecord { Subject = "robot$ci", Roles = NamespaceRole.Push },
                    new GrantRecord { Subject = "robot$old", Roles = NamespaceRole.Admin },
                ],
            },
            new NamespaceRecord { Pattern = "team/open/*", Visibility = NamespaceVisibility.Public },
            new NamespaceRecord
            {
                Pattern = "public/*",
                Visibility = NamespaceVisibility.Public,
                Grants = [new GrantRecord { Subject = "alice", Roles = NamespaceRole.Push }],
            },
        ],
    });

    private static string Actions(string? subject, string repository) =>
        string.Join(',', Policy.RepositoryActions(subject, repository, Now).Order());

    [Theory]
    [InlineData("alice", "team/app", "delete,pull,push")]
    [InlineData("bob", "team/app", "pull")]
    [InlineData(null, "team/app", "")]
    [InlineData("alice", "team", "")]
    [InlineData("alice", "teams/app", "")]
    [InlineData(null, "public/app", "pull")]
    [InlineData("bob", "public/app", "pull")]
    [InlineData("alice", "public/app", "pull,push")]
    [InlineData(null, "team/open/app", "pull")]
    [InlineData("bob", "team/open/app", "pull")]
    [InlineData("alice", "elsewhere/app", "")]
    [InlineData("root", "elsewhere/app", "delete,pull,push")]
    [InlineData("robot$ci", "team/app", "pull,push")]
    [InlineData("robot$old", "team/app", "")]
    [InlineData("robot$gone", "team/app", "")]
    [InlineData("mallory", "team/app", "")]
    [InlineData("mallory", "public/app", "pull")]
    public void Repository_actions_follow_namespaces_roles_and_visibility(string? subject, string repository, string expected) =>
        Assert.Equal(expected, Actions(subject, repository));

    [Fact]
    public void A_token_request_gets_only_what_is_both_asked_for_and_granted()
    {
        var granted = Policy.GrantAll("bob",
        [
            new AccessScope("repository", "team/app", ["pull", "push"]),
            new AccessScope("repository", "team/app", ["delete"]),
            new AccessScope("repository", "elsewhere/x", ["pull"]),
            new AccessScope("registry", "catalog", ["*"]),
            new AccessScope("repository", "Invalid/Name", ["pull"]),
            new AccessScope("unknown", "thing", ["pull"]),
        ], Now);
        Assert.Equal(["repository:team/app:pull", "registry:catalog:*"], granted.Select(g => g.ToString()));
    }

    [Fact]
    public void A_wildcard_action_is_granted_as_the_actions_allowed()
    {
        var granted = Policy.Grant("alice", new AccessScope("repository", "team/app", ["*"]), Now);
        Assert.Equal("repository:team/app:delete,pull,push", granted!.ToString());
    }

    [Fact]
    public void Anonymous_gets_nothing_on_a_private_namespace_and_pull_on_a_public_one()
    {
        Assert.Null(Policy.Grant(null, new AccessScope("repository", "team/app", ["pull"]), Now));
        Assert.Equal("repository:public/app:pull", Policy.Grant(null, new AccessScope("repository", "public/app", ["pull", "push"]), Now)!.ToString());
    }

    [Fact]
    public void Refresh_stamps_and_robot_expiry_decide_whether_a_subject_is_current()
    {
        var policy = new AccessPolicy(new AuthSnapshot
        {
            Users = [new UserRecord { Name = "alice", PasswordHash = "x", Stamp = "s1" }],
            Robots = [new RobotRecord { Name = "robot$ci", SecretSha256 = "", Stamp = "r1", ExpiresAt = Now.AddMinutes(1) }],
        });
        Assert.True(policy.IsCurrent("alice", "s1", Now));
        Assert.False(policy.IsCurrent("alice", "s0", Now));
        Assert.False(policy.IsCurrent("bob", "s1", Now));
        Assert.True(policy.IsCurrent("robot$ci", "r1", Now));
        Assert.False(policy.IsCurrent("robot$ci", "r1", Now.AddMinutes(2)));
    }

    [Fact]
    public void Every_route_kind_maps_to_an_action()
    {
        Assert.Null(RegistryAccess.Required(Routing.RouteKind.Base, "GET", ""));
        Assert.Equal("registry:catalog:*", RegistryAccess.Required(Routing.RouteKind.Catalog, "GET", "")!.Value.Scope);
        Assert.Equal("pull", RegistryAccess.Required(Routing.RouteKind.Blob, "HEAD", "a/b")!.Value.Action);
        Assert.Equal("delete", RegistryAccess.Required(Routing.RouteKind.Blob, "DELETE", "a/b")!.Value.Action);
        Assert.Equal("delete", RegistryAccess.Required(Routing.RouteKind.Manifest, "DELETE", "a/b")!.Value.Action);
        Assert.Equal("push", RegistryAccess.Required(Routing.RouteKind.UploadStart, "POST", "a/b")!.Value.Action);
        Assert.Equal("push", RegistryAccess.Required(Routing.RouteKind.Upload, "GET", "a/b")!.Value.Action);
        Assert.Equal("pull", RegistryAccess.Required(Routing.RouteKind.Referrers, "GET", "a/b")!.Value.Action);
    }
}
