using OrleansRegistry.Contracts.Policies;
using OrleansRegistry.Extensions.Policies.Immutability;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Server.Tests.Extensions.Policies;

/// <summary>The immutability decision, without a server.</summary>
public sealed class ImmutabilityRuleSetTests
{
    private const string A = "sha256:aaaa";
    private const string B = "sha256:bbbb";

    private static readonly ImmutabilityRuleSet Rules = new(new RuleSnapshot<ImmutabilityRule>
    {
        Version = 1,
        Rules =
        [
            new ImmutabilityRule { Pattern = "*", Tags = ["release-*"] },
            new ImmutabilityRule { Pattern = "team/*", Tags = ["v*", "release-*"] },
            new ImmutabilityRule { Pattern = "team/app", Tags = ["stable"] },
        ],
    });

    private static readonly ImmutabilityRuleSet TeamOnly = new(new RuleSnapshot<ImmutabilityRule>
    {
        Version = 1,
        Rules = [new ImmutabilityRule { Pattern = "team/*", Tags = ["v*"] }],
    });

    private static WriteRequest Push(string repository, string tag, string? current, string next) =>
        new(WriteAction.PushManifest, repository, next, [new TagChange(tag, current, next)]);

    [Theory]
    [InlineData("team/app", true)]
    [InlineData("team/a/b", true)]
    [InlineData("team", false)]
    [InlineData("other/app", false)]
    public void A_rule_set_governs_the_repositories_its_patterns_cover(string repository, bool governs) =>
        Assert.Equal(governs, TeamOnly.Governs(repository));

    [Fact]
    public void No_rules_govern_nothing() =>
        Assert.False(new ImmutabilityRuleSet(RuleSnapshot<ImmutabilityRule>.Empty).Governs("team/app"));

    [Fact]
    public void Creating_an_immutable_tag_and_pushing_its_digest_again_are_allowed()
    {
        Assert.True(Rules.Decide(Push("team/app", "v1", null, A)).IsAllowed);
        Assert.True(Rules.Decide(Push("team/app", "v1", A, A)).IsAllowed);
    }

    [Fact]
    public void Moving_an_immutable_tag_is_denied_naming_the_most_specific_rule_that_protects_it()
    {
        var decision = Rules.Decide(Push("team/app", "v1", A, B));
        Assert.False(decision.IsAllowed);
        Assert.Equal(403, decision.StatusCode);
        Assert.Equal($"tag 'v1' is immutable (rule of team/*: v*): it names {A} and cannot be moved", decision.Message);

        var stable = Rules.Decide(Push("team/app", "stable", A, B));
        Assert.Contains("rule of team/app: stable", stable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_of_every_covering_pattern_add_up()
    {
        // "release-*" of "*" protects a repository that team/app's own rule does not mention.
        Assert.False(Rules.Decide(Push("team/app", "release-1", A, B)).IsAllowed);
        Assert.False(Rules.Decide(Push("elsewhere/app", "release-1", A, B)).IsAllowed);
        Assert.True(Rules.Decide(Push("elsewhere/app", "v1", A, B)).IsAllowed);
    }

    [Fact]
    public void Other_tags_move_freely()
    {
        Assert.True(Rules.Decide(Push("team/app", "latest", A, B)).IsAllowed);
        Assert.True(Rules.Decide(new WriteRequest(WriteAction.DeleteTag, "team/app", A, [new TagChange("latest", A, null)])).IsAllowed);
    }

    [Fact]
    public void Deleting_an_immutable_tag_or_a_manifest_it_names_is_denied()
    {
        var tag = Rules.Decide(new WriteRequest(WriteAction.DeleteTag, "team/app", A, [new TagChange("v1", A, null)]));
        Assert.Equal("tag 'v1' is immutable (rule of team/*: v*): it cannot be deleted", tag.Message);

        var manifest = Rules.Decide(new WriteRequest(WriteAction.DeleteManifest, "team/app", A,
            [new TagChange("latest", A, null), new TagChange("v1", A, null)]));
        Assert.Equal($"manifest {A} is tagged 'v1', which is immutable (rule of team/*: v*): it cannot be deleted", manifest.Message);
    }

    [Fact]
    public void Pushing_or_deleting_an_untagged_manifest_is_allowed()
    {
        Assert.True(Rules.Decide(new WriteRequest(WriteAction.PushManifest, "team/app", A, [])).IsAllowed);
        Assert.True(Rules.Decide(new WriteRequest(WriteAction.DeleteManifest, "team/app", A, [])).IsAllowed);
    }

    [Fact]
    public void The_policy_keeps_the_newest_snapshot_it_was_given()
    {
        var policy = new ImmutabilityPolicy();
        var newer = new RuleSnapshot<ImmutabilityRule> { Version = 3, Rules = [new ImmutabilityRule { Pattern = "team/*", Tags = ["v*"] }] };
        policy.Adopt(newer);
        policy.Adopt(new RuleSnapshot<ImmutabilityRule> { Version = 2 });
        Assert.Same(newer, policy.Snapshot);
        Assert.True(policy.Governs("team/app"));
    }
}
