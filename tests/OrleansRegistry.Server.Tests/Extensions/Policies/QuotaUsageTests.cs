using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Extensions.Policies.Quotas;

namespace OrleansRegistry.Server.Tests.Extensions.Policies;

/// <summary>The usage arithmetic of a quota, without a server.</summary>
public sealed class QuotaUsageTests
{
    private static readonly ContentSize Layer = new("sha256:layer", 1000);

    private static ContentSize[] Image(string name, long configSize = 10) => [new($"sha256:{name}", 100), new($"sha256:{name}-config", configSize), Layer];

    [Fact]
    public void A_blob_shared_by_manifests_of_one_or_several_repositories_counts_once()
    {
        var usage = new QuotaUsage();
        var first = usage.Reserve("team/a@one", Image("one"), limit: 10_000);
        Assert.Equal(new QuotaReservation(true, 1110, 1110), first);
        var second = usage.Reserve("team/b@two", Image("two"), limit: 10_000);
        Assert.Equal(new QuotaReservation(true, 1220, 110), second);
        var again = usage.Reserve("team/a@one", Image("one"), limit: 0);
        Assert.Equal(new QuotaReservation(true, 1220, 0), again);
    }

    [Fact]
    public void A_push_that_would_exceed_the_limit_is_refused_with_the_usage_before_it_and_counts_nothing()
    {
        var usage = new QuotaUsage();
        usage.Reserve("team/a@one", Image("one"), limit: 1200);
        var refused = usage.Reserve("team/a@two", Image("two", configSize: 1000), limit: 1200);
        Assert.Equal(new QuotaReservation(false, 1110, 1100), refused);
        Assert.Equal(1110, usage.Used);
        Assert.True(usage.Reserve("team/a@three", [Layer], limit: 0).Allowed);
    }

    [Fact]
    public void A_reservation_that_was_not_stored_is_released_and_a_stored_one_stays()
    {
        var usage = new QuotaUsage();
        usage.Reserve("team/a@one", Image("one"), limit: 10_000);
        usage.Reserve("team/a@two", Image("two"), limit: 10_000);
        usage.Settle("team/a@one", stored: true);
        usage.Settle("team/a@two", stored: false);
        usage.Settle("team/a@two", stored: false);
        Assert.Equal(1110, usage.Used);
        Assert.Equal(1, usage.Manifests);
    }

    [Fact]
    public void A_release_is_confirmed_once_and_releasing_again_changes_nothing()
    {
        var usage = new QuotaUsage();
        usage.Load("team/a@one", Image("one"));
        usage.Load("team/b@two", Image("two"));
        Assert.Equal(ReleaseStep.ConfirmGone, usage.Release("team/a@one"));
        Assert.True(usage.Remove("team/a@one"));
        Assert.Equal(ReleaseStep.None, usage.Release("team/a@one"));
        Assert.False(usage.Remove("team/a@one"));
        Assert.Equal(1110, usage.Used);
        Assert.True(usage.Remove("team/b@two"));
        Assert.Equal(0, usage.Used);
    }

    [Fact]
    public void A_delete_during_a_push_of_the_same_manifest_leaves_the_push_to_decide()
    {
        var usage = new QuotaUsage();
        usage.Load("team/a@one", Image("one"));
        usage.Reserve("team/a@one", Image("one"), limit: 0);
        Assert.Equal(ReleaseStep.None, usage.Release("team/a@one"));
        usage.Settle("team/a@one", stored: false);
        Assert.Equal(0, usage.Used);
    }

    [Fact]
    public void A_recount_keeps_the_pushes_in_flight_that_it_did_not_see()
    {
        var usage = new QuotaUsage();
        usage.Reserve("team/a@one", Image("one"), limit: 10_000);
        usage.Load("team/a@gone", Image("gone"));
        var recounted = usage.Recounted([("team/b@two", Image("two"))]);
        Assert.Equal(1220, recounted.Used);
        recounted.Settle("team/a@one", stored: true);
        Assert.Equal(ReleaseStep.ConfirmGone, recounted.Release("team/a@one"));
    }
}
