using OrleansRegistry.Contracts;
using OrleansRegistry.Grains.Blobs;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Grains.Catalog;
using OrleansRegistry.Contracts.Catalog;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;
using Xunit;
using static OrleansRegistry.Grains.Tests.Fixtures.TestData;

namespace OrleansRegistry.Grains.Tests.State;

/// <summary>Everything the grains keep comes back from the file storage after deactivation or a restart.</summary>
public sealed class RegistryPersistenceTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private RegistryCluster Registry => fixture.Registry;

    [Fact]
    public async Task Registry_state_survives_deactivation_of_every_grain()
    {
        var written = await WriteEverythingAsync();

        foreach (var grain in written.Grains(Registry.Client))
        {
            await Registry.DeactivateAsync(grain);
        }

        await written.VerifyAsync(Registry.Client);
    }

    [Fact]
    public async Task Registry_state_survives_a_restart_of_the_cluster_on_the_same_directory()
    {
        var written = await WriteEverythingAsync();

        await Registry.RestartAsync();

        await written.VerifyAsync(Registry.Client);

        // And the restored grains accept further writes (their etags are the stored ones).
        var repository = Registry.Client.GetGrain<IRepositoryGrain>(written.Repository);
        Assert.Equal(PutManifestStatus.Stored, (await repository.PutManifest(written.Other, "after-restart", true)).Status);
        Assert.True(await repository.DeleteTag("stable"));
        var upload = Registry.Client.GetGrain<IUploadSessionGrain>(written.UploadInProgress);
        Assert.Equal(ChunkCommitStatus.Committed, (await upload.CommitChunk(written.Repository, 150, 1, ["p3"], [3])).Status);
        await Registry.Client.GetGrain<IBlobGrain>(written.Blobs[0]).AddRepository("after/restart");

        await Registry.RestartAsync();

        // References of the disposed client are dead: take new ones.
        repository = Registry.Client.GetGrain<IRepositoryGrain>(written.Repository);
        upload = Registry.Client.GetGrain<IUploadSessionGrain>(written.UploadInProgress);
        ManifestAssert.Same(written.Other, await repository.ResolveTag("after-restart"));
        Assert.Null(await repository.ResolveTag("stable"));
        Assert.Equal(151, (await upload.GetStatus(written.Repository))!.Length);
        Assert.Contains("after/restart", (await Registry.Client.GetGrain<IBlobGrain>(written.Blobs[0]).Get())!.Repositories);
    }

    private async Task<Written> WriteEverythingAsync()
    {
        var client = Registry.Client;
        var name = UniqueName("persist");
        var repository = client.GetGrain<IRepositoryGrain>(name);
        var blobs = new[] { Digest(name + " config"), Digest(name + " layer") };
        foreach (var blob in blobs)
        {
            var index = client.GetGrain<IBlobGrain>(blob);
            await index.Register(BlobLocation(blob), 321);
            await index.AddRepository(name);
            await repository.LinkBlob(blob, 321, BlobLocation(blob));
        }

        var unlinked = Digest(name + " unlinked");
        await repository.LinkBlob(unlinked, 5, BlobLocation(unlinked));
        await repository.UnlinkBlob(unlinked);

        var image = Manifest(name + " image", blobs);
        var other = Manifest(name + " other", [blobs[0]]);
        var signature = Manifest(name + " signature", [blobs[0]], subject: image.Digest, artifactType: "application/vnd.example.sig");
        await repository.PutManifest(image, "v1", true);
        await repository.PutManifest(image, "stable", true);
        await repository.PutManifest(other, "latest", true);
        await repository.PutManifest(image, "latest", true);
        await repository.PutManifest(other, "gone", true);
        await repository.DeleteTag("gone");
        await repository.PutManifest(signature, null, true);

        var inProgress = Guid.NewGuid().ToString("N");
        var upload = client.GetGrain<IUploadSessionGrain>(inProgress);
        await Registry.StartUploadAsync(upload, name);
        await upload.CommitChunk(name, 0, 100, ["p0", "p1"], [1, 2, 3]);
        await upload.CommitChunk(name, 100, 50, ["p2"], [4, 5, 6]);
        var completed = Guid.NewGuid().ToString("N");
        await client.GetGrain<IUploadSessionGrain>(completed).Start(name);
        await client.GetGrain<IUploadSessionGrain>(completed).Complete(blobs[1]);
        var cancelled = Guid.NewGuid().ToString("N");
        await client.GetGrain<IUploadSessionGrain>(cancelled).Start(name);
        await client.GetGrain<IUploadSessionGrain>(cancelled).Cancel();

        return new Written(name, blobs, unlinked, image, other, signature, inProgress, completed, cancelled);
    }

    private sealed record Written(
        string Repository,
        string[] Blobs,
        string Unlinked,
        ManifestRecord Image,
        ManifestRecord Other,
        ManifestRecord Signature,
        string UploadInProgress,
        string UploadCompleted,
        string UploadCancelled)
    {
        public IEnumerable<IAddressable> Grains(IGrainFactory grains) =>
        [
            grains.GetGrain<IRepositoryGrain>(Repository),
            grains.GetGrain<ICatalogGrain>(GrainKeys.Catalog),
            grains.GetGrain<IUploadSessionGrain>(UploadInProgress),
            grains.GetGrain<IUploadSessionGrain>(UploadCompleted),
            grains.GetGrain<IUploadSessionGrain>(UploadCancelled),
            .. Blobs.Select(b => grains.GetGrain<IBlobGrain>(b)),
        ];

        public async Task VerifyAsync(IGrainFactory grains)
        {
            var repository = grains.GetGrain<IRepositoryGrain>(Repository);
            Assert.True(await repository.Exists());
            ManifestAssert.Same(Image, await repository.ResolveTag("v1"));
            ManifestAssert.Same(Image, await repository.ResolveTag("stable"));
            ManifestAssert.Same(Image, await repository.ResolveTag("latest"));
            Assert.Null(await repository.ResolveTag("gone"));
            ManifestAssert.Same(Other, await repository.GetManifest(Other.Digest));
            ManifestAssert.Same(Signature, await repository.GetManifest(Signature.Digest));
            Assert.Equal(["latest", "stable", "v1"], (await repository.ListTags(null, 100)).Tags);
            foreach (var blob in Blobs)
            {
                var link = await repository.GetBlob(blob);
                Assert.NotNull(link);
                Assert.Equal(321, link.Size);
                Assert.Equal(BlobLocation(blob), link.Location);
            }

            Assert.Null(await repository.GetBlob(Unlinked));
            var referrer = Assert.Single(await repository.GetReferrers(Image.Digest));
            Assert.Equal(Signature.Digest, referrer.Digest);
            Assert.Equal("application/vnd.example.sig", referrer.ArtifactType);

            Assert.Contains(Repository, (await grains.GetGrain<ICatalogGrain>(GrainKeys.Catalog).List(null, 10_000)).Tags);

            var inProgress = await grains.GetGrain<IUploadSessionGrain>(UploadInProgress).GetStatus(Repository);
            Assert.NotNull(inProgress);
            Assert.Equal(150, inProgress.Length);
            Assert.Equal(["p0", "p1", "p2"], inProgress.Parts);
            Assert.Equal([4, 5, 6], inProgress.HashState);
            Assert.Null(inProgress.CompletedDigest);
            Assert.Equal(Blobs[1], (await grains.GetGrain<IUploadSessionGrain>(UploadCompleted).GetStatus(Repository))!.CompletedDigest);
            Assert.Null(await grains.GetGrain<IUploadSessionGrain>(UploadCancelled).GetStatus(Repository));

            foreach (var blob in Blobs)
            {
                var info = await grains.GetGrain<IBlobGrain>(blob).Get();
                Assert.NotNull(info);
                Assert.Equal(BlobLocation(blob), info.Location);
                Assert.Equal(321, info.Size);
                Assert.Contains(Repository, info.Repositories);
            }
        }
    }
}
