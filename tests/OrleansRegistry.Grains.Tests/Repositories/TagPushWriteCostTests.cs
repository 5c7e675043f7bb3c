using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.State;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;
using Xunit.Abstractions;
using static OrleansRegistry.Grains.Tests.Fixtures.TestData;

namespace OrleansRegistry.Grains.Tests.Repositories;

/// <summary>
/// The bound: the bytes written to grain storage by one tag push stay under 64 KiB in a
/// repository that already holds 20,000 tags (each on its own manifest).
/// </summary>
public sealed class TagPushWriteCostTests(RecordingRegistryClusterFixture fixture, ITestOutputHelper output)
    : IClassFixture<RecordingRegistryClusterFixture>
{
    private const int ExistingTags = 20_000;
    private const int PushedThroughTheGrain = 200;
    private const int MaxPushBytes = 64 * 1024;

    private RegistryCluster Registry => fixture.Registry;

    [Fact]
    public async Task One_tag_push_writes_less_than_64_KiB_in_a_repository_of_20000_tags()
    {
        var name = UniqueName("big");
        var repository = Registry.Client.GetGrain<IRepositoryGrain>(name);
        var blobs = new[] { Digest("shared config"), Digest("shared layer") };
        var tags = new List<string>(ExistingTags + 1);

        // Most of the repository is written the way the grain would write it: the production
        // BucketedMap fills the same buckets in memory, then each bucket file is written once.
        // (20,000 pushes through the grain cost 2 fsync'ed writes each; see the rate below.)
        var clock = Stopwatch.StartNew();
        var memory = new InMemoryGrainStorage();
        var grainId = repository.GetGrainId();
        var seededTags = new BucketedMap<string>(memory, grainId, "tags", RepositoryGrain.TagBuckets);
        var seededManifests = new BucketedMap<ManifestRecord>(memory, grainId, "manifests", RepositoryGrain.ManifestBuckets);
        var serializer = Registry.Client.ServiceProvider.GetRequiredService<Serializer>();
        for (var i = 0; i < ExistingTags - PushedThroughTheGrain; i++)
        {
            // As the grain gets it from a call: no strings or arrays shared between records,
            // which would make the seeded buckets smaller than real ones.
            ManifestRecord manifest = serializer.Deserialize<ManifestRecord>(serializer.SerializeToArray(Manifest($"{name} build {i}", blobs)))!;
            await seededManifests.SetAsync(manifest.Digest, manifest);
            await seededTags.SetAsync(TagName(i), manifest.Digest);
            tags.Add(TagName(i));
        }

        var records = await memory.CopyToAsync(Registry.Recorder.Inner);
        output.WriteLine($"seeded {ExistingTags - PushedThroughTheGrain} tags and manifests directly as {records} bucket records in {clock.ElapsedMilliseconds} ms");

        foreach (var blob in blobs)
        {
            await repository.LinkBlob(blob, 1000, BlobLocation(blob));
        }

        // The rest through the grain, 50 calls at a time (the grain runs them one by one).
        clock.Restart();
        for (var start = ExistingTags - PushedThroughTheGrain; start < ExistingTags; start += 50)
        {
            var batch = Enumerable.Range(start, 50).Select(i =>
                repository.PutManifest(Manifest($"{name} build {i}", blobs), TagName(i), true));
            Assert.All(await Task.WhenAll(batch), r => Assert.Equal(PutManifestStatus.Stored, r.Status));
            tags.AddRange(Enumerable.Range(start, 50).Select(TagName));
        }

        var perPush = clock.Elapsed.TotalMilliseconds / PushedThroughTheGrain;
        output.WriteLine($"pushed {PushedThroughTheGrain} tags through the grain in {clock.ElapsedMilliseconds} ms "
            + $"({perPush:F2} ms per push; {ExistingTags} pushes would take ~{perPush * ExistingTags / 1000:F0} s)");
        Assert.Equal(ExistingTags, (await repository.ListTags(null, int.MaxValue)).Tags.Count);

        // The measured push.
        Registry.Recorder.ResetWrites();
        var pushed = Manifest($"{name} the new one", blobs);

        var result = await repository.PutManifest(pushed, "new-tag", true);

        var writes = Registry.Recorder.Writes;
        Assert.Equal(PutManifestStatus.Stored, result.Status);
        var total = writes.Sum(w => w.Bytes);
        output.WriteLine($"the push of one tag wrote {total} bytes in {writes.Count} records:");
        foreach (var write in writes)
        {
            output.WriteLine($"  {write.StateName} of {write.GrainId}: {write.Bytes} bytes");
        }

        var (all, largestTags, largestManifests) = RepositoryBytes(grainId);
        output.WriteLine($"for scale: all tag and manifest records of the repository hold {all} bytes; "
            + $"the largest tag record {largestTags} bytes, the largest manifest record {largestManifests} bytes");
        Assert.Contains(writes, w => w.StateName.StartsWith("tags-", StringComparison.Ordinal) && w.GrainId == grainId);
        Assert.Contains(writes, w => w.StateName.StartsWith("manifests-", StringComparison.Ordinal) && w.GrainId == grainId);
        Assert.True(total < MaxPushBytes, $"one tag push wrote {total} bytes (limit {MaxPushBytes})");

        // A push landing in the two largest records would still be within the bound.
        Assert.True(largestTags + largestManifests < MaxPushBytes, $"the largest records hold {largestTags} + {largestManifests} bytes");

        ManifestAssert.Same(pushed, await repository.ResolveTag("new-tag"));
        tags.Add("new-tag");
        var listed = await repository.ListTags(null, int.MaxValue);
        Assert.False(listed.HasMore);
        Assert.Equal(ExistingTags + 1, listed.Tags.Count);
        tags.Sort(SpecOrder);
        Assert.Equal(tags, listed.Tags);
        for (var i = 1; i < listed.Tags.Count; i++)
        {
            Assert.True(SpecOrder(listed.Tags[i - 1], listed.Tags[i]) < 0, $"{listed.Tags[i - 1]} before {listed.Tags[i]}");
        }

        var page = await repository.ListTags(tags[9_999], 100);
        Assert.Equal(tags.Skip(10_000).Take(100), page.Tags);
        Assert.True(page.HasMore);
    }

    /// <summary>Mixed case, so the order is not plain ordinal: "Build-00003" sorts between "build-00002" and "build-00004".</summary>
    private static string TagName(int i) => i % 3 == 0 ? $"Build-{i:D5}" : $"build-{i:D5}";

    /// <summary>The spec's tag order: case-insensitive, ties broken ordinally.</summary>
    private static int SpecOrder(string? x, string? y)
    {
        var ignoringCase = string.Compare(x, y, StringComparison.OrdinalIgnoreCase);
        return ignoringCase != 0 ? ignoringCase : string.CompareOrdinal(x, y);
    }

    /// <summary>Total bytes of the tag and manifest records, and the largest of each kind.</summary>
    private (long All, long LargestTags, long LargestManifests) RepositoryBytes(GrainId grainId)
    {
        var tags = Enumerable.Range(0, RepositoryGrain.TagBuckets)
            .Select(i => FileSize(Registry.Recorder.Inner.GetFilePath($"tags-{i:x3}", grainId))).ToList();
        var manifests = Enumerable.Range(0, RepositoryGrain.ManifestBuckets)
            .Select(i => FileSize(Registry.Recorder.Inner.GetFilePath($"manifests-{i:x3}", grainId))).ToList();
        return (tags.Sum() + manifests.Sum(), tags.Max(), manifests.Max());
    }

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
