using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Extensions.Policies.Retention;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Server.Tests.Extensions.Policies;

/// <summary>The keep decision, without a server: which tags a rule keeps, and what it says of those it does not.</summary>
public sealed class RetentionDecisionTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Tags t1 (pushed 1 day ago) to t5 (5 days ago), each naming its own manifest d1 to d5.</summary>
    private static readonly TagPush[] Tags = [.. Enumerable.Range(1, 5).Select(i => new TagPush($"t{i}", $"sha256:d{i}", Now - TimeSpan.FromDays(i)))];

    private static readonly Dictionary<string, DateTimeOffset> NeverPulled = [];

    private static string? NothingImmutable(string tag) => null;

    private static string[] Kept(RetentionRule rule, IReadOnlyDictionary<string, DateTimeOffset>? pulled = null, Func<string, string?>? immutability = null) =>
        [.. RetentionDecision.Decide(rule, Tags, pulled ?? NeverPulled, immutability ?? NothingImmutable, Now).Where(d => d.Kept).Select(d => d.Tag).Order(StringComparer.Ordinal)];

    private static RetentionRule Rule(int? last = null, int? pushedDays = null, int? pulledDays = null, string[]? tags = null) => new()
    {
        Pattern = "team/*", KeepLastPushed = last, KeepPushedWithinDays = pushedDays, KeepPulledWithinDays = pulledDays, KeepTags = tags ?? [],
    };

    [Fact]
    public void KeepLastPushed_keeps_the_N_most_recently_pushed_whatever_the_order_they_come_in()
    {
        var decisions = RetentionDecision.Decide(Rule(last: 2), Tags.Reverse(), NeverPulled, NothingImmutable, Now);

        Assert.Equal(["t1", "t2"], decisions.Where(d => d.Kept).Select(d => d.Tag));
        Assert.Equal("keepLastPushed 2: #1 most recently pushed", decisions[0].Reason);
        var third = decisions.Single(d => d.Tag == "t3");
        Assert.False(third.Kept);
        Assert.Equal("sha256:d3", third.Digest);
        Assert.StartsWith("retention rule of team/*: kept by no rule: #3 most recently pushed (keepLastPushed 2); pushed ", third.Reason);
    }

    [Fact]
    public void Tags_pushed_at_the_same_time_are_ranked_by_name()
    {
        TagPush[] tied = [new("b", "sha256:b", Now), new("a", "sha256:a", Now), new("c", "sha256:c", Now)];

        var decisions = RetentionDecision.Decide(Rule(last: 1), tied, NeverPulled, NothingImmutable, Now);

        Assert.Equal("a", Assert.Single(decisions, d => d.Kept).Tag);
    }

    [Fact]
    public void KeepPushedWithinDays_keeps_those_pushed_less_than_D_days_ago() =>
        Assert.Equal(["t1", "t2"], Kept(Rule(pushedDays: 3)));

    [Fact]
    public void KeepPulledWithinDays_keeps_tags_whose_manifest_was_pulled_within_D_days_by_any_reference()
    {
        var pulled = new Dictionary<string, DateTimeOffset> { ["sha256:d4"] = Now - TimeSpan.FromDays(1), ["sha256:d5"] = Now - TimeSpan.FromDays(8) };

        Assert.Equal(["t4"], Kept(Rule(pulledDays: 7), pulled));
        var never = RetentionDecision.Decide(Rule(pulledDays: 7), Tags, pulled, NothingImmutable, Now).Single(d => d.Tag == "t1");
        Assert.Contains("last pulled never (keepPulledWithinDays 7)", never.Reason);
    }

    [Fact]
    public void KeepTags_keeps_the_tags_a_glob_matches() =>
        Assert.Equal(["t2", "t5"], Kept(Rule(tags: ["t2", "t5*", "x?"])));

    [Fact]
    public void A_tag_any_rule_keeps_stays()
    {
        var pulled = new Dictionary<string, DateTimeOffset> { ["sha256:d4"] = Now };

        Assert.Equal(["t1", "t2", "t4", "t5"], Kept(Rule(last: 1, pushedDays: 3, pulledDays: 1, tags: ["t5"]), pulled));
    }

    [Fact]
    public void An_immutable_tag_is_always_kept_and_says_which_rule_makes_it_so()
    {
        var decisions = RetentionDecision.Decide(Rule(last: 1), Tags, NeverPulled, tag => tag == "t4" ? "rule of team/*: t4" : null, Now);

        Assert.Equal(["t1", "t4"], decisions.Where(d => d.Kept).Select(d => d.Tag).Order(StringComparer.Ordinal));
        Assert.Equal("immutable (rule of team/*: t4)", decisions.Single(d => d.Tag == "t4").Reason);
    }

    [Fact]
    public void Without_a_keep_rule_every_tag_stays_only_untagged_manifests_go() =>
        Assert.Equal(Tags.Select(t => t.Tag), Kept(Rule() with { RemoveUntagged = true }));

    [Theory]
    [InlineData(0, null, null, null, null)]
    [InlineData(null, 0, null, null, null)]
    [InlineData(null, null, -1, null, null)]
    [InlineData(null, null, null, "0:00:30", null)]
    [InlineData(null, null, null, "soon", null)]
    [InlineData(3, null, null, null, "v/1")]
    public void Bad_values_are_refused(int? last, int? pushedDays, int? pulledDays, string? schedule, string? tag)
    {
        var entry = new RetentionEntry
        {
            KeepLastPushed = last, KeepPushedWithinDays = pushedDays, KeepPulledWithinDays = pulledDays, Schedule = schedule, KeepTags = tag is null ? null : [tag],
            RemoveUntagged = true,
        };

        Assert.Throws<OrleansRegistry.Core.Errors.OciException>(() => RetentionRuleInput.Validate("team/*", entry, RuleSources.Api));
    }

    [Fact]
    public void The_schedule_defaults_to_a_day_and_is_a_time_span()
    {
        Assert.Equal(TimeSpan.FromDays(1), RetentionRuleInput.Validate("team/*", new RetentionEntry { KeepLastPushed = 1 }, RuleSources.Api).Schedule);
        Assert.Equal(TimeSpan.FromHours(6), RetentionRuleInput.Validate("team/*", new RetentionEntry { KeepLastPushed = 1, Schedule = "06:00:00" }, RuleSources.Api).Schedule);
    }
}
