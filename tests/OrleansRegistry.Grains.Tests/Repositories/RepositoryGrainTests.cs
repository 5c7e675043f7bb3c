using OrleansRegistry.Contracts;
using OrleansRegistry.Grains.Catalog;
using OrleansRegistry.Contracts.Catalog;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;
using static OrleansRegistry.Grains.Tests.Fixtures.TestData;

namespace OrleansRegistry.Grains.Tests.Repositories;

public sealed class RepositoryGrainTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private IClusterClient Client => fixture.Registry.Client;

    private IRepositoryGrain NewRepository(out string name)
    {
        name = UniqueName();
        return Client.GetGrain<IRepositoryGrain>(name);
    }

    private static async Task<string[]> LinkBlobsAsync(IRepositoryGrain repository, params string[] seeds)
    {
        var digests = seeds.Select(Digest).ToArray();
        foreach (var digest in digests)
        {
            await repository.LinkBlob(digest, 1234, BlobLocation(digest));
        }

        return digests;
    }

    [Fact]
    public async Task Exists_is_false_for_a_fresh_repository_and_true_after_the_first_blob_link()
    {
        var repository = NewRepository(out _);
        Assert.False(await repository.Exists());

        await LinkBlobsAsync(repository, "layer");

        Assert.True(await repository.Exists());
    }

    [Fact]
    public async Task A_linked_blob_is_returned_and_a_second_link_keeps_the_first()
    {
        var repository = NewRepository(out _);
        var digest = Digest("layer");
        Assert.Null(await repository.GetBlob(digest));

        await repository.LinkBlob(digest, 42, "first/location");
        await repository.LinkBlob(digest, 42, "second/location");

        var link = await repository.GetBlob(digest);
        Assert.NotNull(link);
        Assert.Equal(42, link.Size);
        Assert.Equal("first/location", link.Location);
    }

    [Fact]
    public async Task Unlinking_a_blob_makes_manifests_referencing_it_unknown()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config", "layer");

        Assert.True(await repository.UnlinkBlob(blobs[1]));
        Assert.False(await repository.UnlinkBlob(blobs[1]));
        Assert.Null(await repository.GetBlob(blobs[1]));

        var result = await repository.PutManifest(Manifest("m", blobs), "latest", true);
        Assert.Equal(PutManifestStatus.BlobUnknown, result.Status);
        Assert.Equal([blobs[1]], result.Missing);
    }

    [Fact]
    public async Task A_manifest_pushed_with_a_tag_is_found_by_tag_and_by_digest()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config", "layer");
        var manifest = Manifest("app v1", blobs);

        var result = await repository.PutManifest(manifest, "v1", true);

        Assert.Equal(PutManifestStatus.Stored, result.Status);
        Assert.Empty(result.Missing);
        ManifestAssert.Same(manifest, await repository.ResolveTag("v1"));
        ManifestAssert.Same(manifest, await repository.GetManifest(manifest.Digest));
        Assert.Null(await repository.ResolveTag("v2"));
        Assert.Null(await repository.GetManifest(Digest("other")));
    }

    [Fact]
    public async Task A_manifest_pushed_again_keeps_the_stored_record_and_adds_the_tag()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config");
        var manifest = Manifest("app", blobs);
        await repository.PutManifest(manifest, "v1", true);

        var result = await repository.PutManifest(manifest with { PushedAt = manifest.PushedAt.AddHours(1) }, "v2", true);

        Assert.Equal(PutManifestStatus.Stored, result.Status);
        ManifestAssert.Same(manifest, await repository.ResolveTag("v2"));
        ManifestAssert.Same(manifest, await repository.ResolveTag("v1"));
    }

    [Fact]
    public async Task A_manifest_with_unlinked_blobs_is_refused_with_exactly_the_missing_digests()
    {
        var repository = NewRepository(out _);
        var linked = await LinkBlobsAsync(repository, "config");
        var missingA = Digest("missing layer a");
        var missingB = Digest("missing layer b");
        var manifest = Manifest("app", [linked[0], missingA, missingB, missingA]);

        var result = await repository.PutManifest(manifest, "latest", true);

        Assert.Equal(PutManifestStatus.BlobUnknown, result.Status);
        Assert.Equal([missingA, missingB], result.Missing);
        Assert.Null(await repository.GetManifest(manifest.Digest));
        Assert.Null(await repository.ResolveTag("latest"));
    }

    [Fact]
    public async Task A_refused_first_push_does_not_create_the_repository()
    {
        var repository = NewRepository(out var name);

        var result = await repository.PutManifest(Manifest("app", [Digest("nowhere")]), "latest", true);

        Assert.Equal(PutManifestStatus.BlobUnknown, result.Status);
        Assert.False(await repository.Exists());
        var catalog = await Client.GetGrain<ICatalogGrain>(GrainKeys.Catalog).List(null, 10_000);
        Assert.DoesNotContain(name, catalog.Tags);
    }

    [Fact]
    public async Task An_index_with_a_missing_child_is_refused_only_when_children_are_required()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config");
        var present = Manifest("amd64", blobs);
        await repository.PutManifest(present, null, true);
        var absent = Digest("arm64");
        var index = Manifest("index", children: [present.Digest, absent]);

        var refused = await repository.PutManifest(index, "multi", requireChildManifests: true);

        Assert.Equal(PutManifestStatus.ManifestUnknown, refused.Status);
        Assert.Equal([absent], refused.Missing);
        Assert.Null(await repository.GetManifest(index.Digest));
        Assert.Null(await repository.ResolveTag("multi"));

        var stored = await repository.PutManifest(index, "multi", requireChildManifests: false);

        Assert.Equal(PutManifestStatus.Stored, stored.Status);
        ManifestAssert.Same(index, await repository.ResolveTag("multi"));
    }

    [Fact]
    public async Task An_index_whose_children_are_all_stored_is_accepted()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config");
        var amd64 = Manifest("amd64", blobs);
        var arm64 = Manifest("arm64", blobs);
        await repository.PutManifest(amd64, null, true);
        await repository.PutManifest(arm64, null, true);

        var result = await repository.PutManifest(Manifest("index", children: [amd64.Digest, arm64.Digest]), "latest", true);

        Assert.Equal(PutManifestStatus.Stored, result.Status);
    }

    [Fact]
    public async Task Moving_a_tag_points_it_at_the_new_manifest_and_keeps_the_old_one_by_digest()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config");
        var v1 = Manifest("build 1", blobs);
        var v2 = Manifest("build 2", blobs);
        await repository.PutManifest(v1, "latest", true);

        await repository.PutManifest(v2, "latest", true);

        ManifestAssert.Same(v2, await repository.ResolveTag("latest"));
        ManifestAssert.Same(v1, await repository.GetManifest(v1.Digest));
        Assert.Equal(["latest"], (await repository.ListTags(null, 100)).Tags);
    }

    [Fact]
    public async Task Deleting_a_tag_removes_only_that_tag()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config");
        var manifest = Manifest("app", blobs);
        await repository.PutManifest(manifest, "v1", true);
        await repository.PutManifest(manifest, "stable", true);

        Assert.True(await repository.DeleteTag("v1"));
        Assert.False(await repository.DeleteTag("v1"));
        Assert.False(await repository.DeleteTag("never-existed"));

        Assert.Null(await repository.ResolveTag("v1"));
        ManifestAssert.Same(manifest, await repository.ResolveTag("stable"));
        ManifestAssert.Same(manifest, await repository.GetManifest(manifest.Digest));
        Assert.Equal(["stable"], (await repository.ListTags(null, 100)).Tags);
    }

    [Fact]
    public async Task Deleting_a_manifest_removes_it_its_tags_and_its_referrer_entry()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config");
        var subject = Manifest("subject", blobs);
        var doomed = Manifest("doomed", blobs, subject: subject.Digest, artifactType: "application/vnd.example.sbom");
        var kept = Manifest("kept", blobs);
        await repository.PutManifest(subject, "subject", true);
        await repository.PutManifest(doomed, "a", true);
        await repository.PutManifest(doomed, "b", true);
        await repository.PutManifest(kept, "c", true);
        Assert.Single(await repository.GetReferrers(subject.Digest));
        Assert.Equal(["a", "b"], await repository.TagsOf(doomed.Digest));

        Assert.True(await repository.DeleteManifest(doomed.Digest));
        Assert.Empty(await repository.TagsOf(doomed.Digest));

        Assert.Null(await repository.GetManifest(doomed.Digest));
        Assert.Null(await repository.ResolveTag("a"));
        Assert.Null(await repository.ResolveTag("b"));
        ManifestAssert.Same(kept, await repository.ResolveTag("c"));
        ManifestAssert.Same(subject, await repository.ResolveTag("subject"));
        Assert.Equal(["c", "subject"], (await repository.ListTags(null, 100)).Tags);
        Assert.Empty(await repository.GetReferrers(subject.Digest));
        Assert.False(await repository.DeleteManifest(doomed.Digest));
    }

    [Fact]
    public async Task Tags_are_listed_case_insensitively_then_ordinally_and_paged()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config");
        var manifest = Manifest("app", blobs);
        foreach (var tag in new[] { "c", "b2", "B", "a", "b10", "A" })
        {
            await repository.PutManifest(manifest, tag, true);
        }

        Assert.Equal(["A", "a", "B", "b10", "b2", "c"], (await repository.ListTags(null, 100)).Tags);
        Assert.False((await repository.ListTags(null, 100)).HasMore);

        var first = await repository.ListTags(null, 2);
        Assert.Equal(["A", "a"], first.Tags);
        Assert.True(first.HasMore);

        var second = await repository.ListTags(first.Tags[^1], 2);
        Assert.Equal(["B", "b10"], second.Tags);
        Assert.True(second.HasMore);

        var third = await repository.ListTags(second.Tags[^1], 2);
        Assert.Equal(["b2", "c"], third.Tags);
        Assert.False(third.HasMore);

        var past = await repository.ListTags("c", 2);
        Assert.Empty(past.Tags);
        Assert.False(past.HasMore);

        // A "last" that is not a tag continues from where it would sort.
        Assert.Equal(["b10", "b2", "c"], (await repository.ListTags("b0", 10)).Tags);
        Assert.Empty((await repository.ListTags(null, 0)).Tags);
        Assert.True((await repository.ListTags(null, 0)).HasMore);
    }

    [Fact]
    public async Task A_fresh_repository_lists_no_tags()
    {
        var repository = NewRepository(out _);

        var page = await repository.ListTags(null, 100);

        Assert.Empty(page.Tags);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task Referrers_are_listed_for_a_subject_that_is_not_stored_and_vanish_when_deleted()
    {
        var repository = NewRepository(out _);
        var blobs = await LinkBlobsAsync(repository, "config");
        var subject = Digest("subject that was never pushed");
        var annotations = new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2024-01-01T00:00:00Z" };
        var signature = Manifest("signature", blobs, subject: subject, artifactType: "application/vnd.example.signature", annotations: annotations);
        var sbom = Manifest("sbom", blobs, subject: subject, artifactType: "application/vnd.example.sbom");
        var unrelated = Manifest("unrelated", blobs, subject: Digest("another subject"));

        Assert.Equal(PutManifestStatus.Stored, (await repository.PutManifest(signature, null, true)).Status);
        Assert.Equal(PutManifestStatus.Stored, (await repository.PutManifest(sbom, null, true)).Status);
        Assert.Equal(PutManifestStatus.Stored, (await repository.PutManifest(unrelated, null, true)).Status);
        Assert.Equal(PutManifestStatus.Stored, (await repository.PutManifest(signature, null, true)).Status);

        var referrers = await repository.GetReferrers(subject);
        Assert.Equal(
            new[] { signature.Digest, sbom.Digest }.Order(StringComparer.Ordinal),
            referrers.Select(r => r.Digest).Order(StringComparer.Ordinal));
        var entry = Assert.Single(referrers, r => r.Digest == signature.Digest);
        Assert.Equal(signature.MediaType, entry.MediaType);
        Assert.Equal(signature.Size, entry.Size);
        Assert.Equal("application/vnd.example.signature", entry.ArtifactType);
        Assert.Equal(annotations, entry.Annotations);
        Assert.Equal("application/vnd.example.sbom", Assert.Single(referrers, r => r.Digest == sbom.Digest).ArtifactType);
        Assert.Empty(await repository.GetReferrers(Digest("nothing refers to this")));

        Assert.True(await repository.DeleteManifest(signature.Digest));

        Assert.Equal([sbom.Digest], (await repository.GetReferrers(subject)).Select(r => r.Digest));
        Assert.Equal([unrelated.Digest], (await repository.GetReferrers(Digest("another subject"))).Select(r => r.Digest));
    }

    [Fact]
    public async Task The_catalog_lists_a_repository_after_its_first_write()
    {
        var catalog = Client.GetGrain<ICatalogGrain>(GrainKeys.Catalog);
        var byBlob = NewRepository(out var byBlobName);
        var byManifest = NewRepository(out var byManifestName);
        Assert.DoesNotContain(byBlobName, (await catalog.List(null, 10_000)).Tags);

        await LinkBlobsAsync(byBlob, "layer");
        var index = Manifest("empty index", children: [Digest("child")]);
        Assert.Equal(PutManifestStatus.Stored, (await byManifest.PutManifest(index, "latest", false)).Status);

        var names = (await catalog.List(null, 10_000)).Tags;
        Assert.Contains(byBlobName, names);
        Assert.Contains(byManifestName, names);
        Assert.True(await byManifest.Exists());
    }
}
