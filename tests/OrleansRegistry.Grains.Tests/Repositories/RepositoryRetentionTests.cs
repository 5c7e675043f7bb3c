using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Repositories;

/// <summary>What retention reads from a repository: tags with their push times, and the untagged manifests nothing keeps.</summary>
public sealed class RepositoryRetentionTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private RegistryCluster Registry => fixture.Registry;

    private IRepositoryGrain NewRepository() => Registry.Client.GetGrain<IRepositoryGrain>(TestData.UniqueName());

    private static string Id() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_tag_was_pushed_at_its_newest_move_not_at_its_manifests_first_push()
    {
        var repository = NewRepository();
        var manifest = TestData.Manifest("m" + Id());
        await repository.PutManifest(manifest with { PushedAt = Registry.Clock.GetUtcNow() }, "old", requireChildManifests: false);
        Registry.Clock.Advance(TimeSpan.FromMinutes(5));
        await repository.PutManifest(manifest, "new", requireChildManifests: false);

        var pushes = (await repository.TagPushes()).ToDictionary(p => p.Tag);

        Assert.Equal(["new", "old"], pushes.Keys.Order(StringComparer.Ordinal));
        Assert.All(pushes.Values, p => Assert.Equal(manifest.Digest, p.Digest));
        Assert.InRange(pushes["new"].PushedAt - pushes["old"].PushedAt, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6));
    }

    [Fact]
    public async Task Untagged_manifests_and_those_the_removed_tags_leave_untagged_are_candidates_but_not_index_children_referrers_or_histories_of_kept_ones()
    {
        var repository = NewRepository();
        var id = Id();
        var child = TestData.Manifest("child" + id);
        var index = TestData.Manifest("index" + id, children: [child.Digest]);
        var kept = TestData.Manifest("kept" + id);
        var replaced = TestData.Manifest("replaced" + id);
        var signature = TestData.Manifest("signature" + id, subject: kept.Digest);
        var removed = TestData.Manifest("removed" + id);
        var removedsSignature = TestData.Manifest("removed-signature" + id, subject: removed.Digest);
        var untagged = TestData.Manifest("untagged" + id);
        foreach (var (manifest, tag) in new[]
        {
            (child, null), (index, "multi"), (replaced, "v1"), (kept, "v1"), (signature, null), (removed, "old"), (removedsSignature, null), (untagged, null),
        })
        {
            await repository.PutManifest(manifest, tag, requireChildManifests: false);
        }

        var candidates = await repository.UntaggedAfter(["old"], keepPushedAfter: DateTimeOffset.MaxValue);

        Assert.Equal(new[] { removed.Digest, removedsSignature.Digest, untagged.Digest }.Order(StringComparer.Ordinal), candidates.Select(m => m.Digest));
        Assert.NotNull(await repository.ResolveTag("old"));
        Assert.Equal([untagged.Digest], (await repository.UntaggedAfter([], keepPushedAfter: DateTimeOffset.MaxValue)).Select(m => m.Digest));
    }

    [Fact]
    public async Task An_untagged_manifest_pushed_after_the_cutoff_is_kept_unless_a_removed_tag_named_it()
    {
        var repository = NewRepository();
        var now = Registry.Clock.GetUtcNow();
        var (young, youngTagged) = (TestData.Manifest("young" + Id()) with { PushedAt = now }, TestData.Manifest("young-tagged" + Id()) with { PushedAt = now });
        await repository.PutManifest(young, null, requireChildManifests: false);
        await repository.PutManifest(youngTagged, "ci", requireChildManifests: false);

        var candidates = await repository.UntaggedAfter(["ci"], keepPushedAfter: now - TimeSpan.FromHours(1));

        Assert.Equal([youngTagged.Digest], candidates.Select(m => m.Digest));
    }
}
