using OrleansRegistry.Grains.Blobs;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Blobs;

public sealed class BlobGrainTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private RegistryCluster Registry => fixture.Registry;

    private IBlobGrain NewBlob() => Registry.Client.GetGrain<IBlobGrain>(TestData.Digest(Guid.NewGuid().ToString()));

    [Fact]
    public async Task An_unregistered_blob_is_unknown()
    {
        Assert.Null(await NewBlob().Get());
    }

    [Fact]
    public async Task The_first_registration_wins()
    {
        var blob = NewBlob();

        var first = await blob.Register("copy/one", 1000);
        var second = await blob.Register("copy/two", 1000);

        Assert.Equal("copy/one", first.Location);
        Assert.Equal(1000, first.Size);
        Assert.Equal("copy/one", second.Location);
        Assert.Equal("copy/one", (await blob.Get())!.Location);
    }

    [Fact]
    public async Task Registering_for_a_repository_records_both_and_the_first_location_still_wins()
    {
        var blob = NewBlob();

        var first = await blob.RegisterFor("a/app", "copy/one", 1000);
        var second = await blob.RegisterFor("b/app", "copy/two", 1000);
        var again = await blob.RegisterFor("a/app", "copy/three", 1000);

        Assert.Equal("copy/one", first.Location);
        Assert.Equal(["a/app"], first.Repositories);
        Assert.Equal("copy/one", second.Location);
        Assert.Equal(["a/app", "b/app"], second.Repositories.Order(StringComparer.Ordinal));
        Assert.Equal(second.Repositories.Order(StringComparer.Ordinal), again.Repositories.Order(StringComparer.Ordinal));
        Assert.Equal(1000, (await blob.Get())!.Size);
    }

    [Fact]
    public async Task Linking_repositories_are_added_and_removed()
    {
        var blob = NewBlob();
        await blob.Register("copy/one", 10);

        await blob.AddRepository("a/app");
        await blob.AddRepository("b/app");
        await blob.AddRepository("a/app");

        Assert.Equal(["a/app", "b/app"], (await blob.Get())!.Repositories.Order(StringComparer.Ordinal));

        // Added a moment ago, a repository may be linking right now: it stays until settled.
        await blob.RemoveRepository("a/app");
        Assert.Equal(["a/app", "b/app"], (await blob.Get())!.Repositories.Order(StringComparer.Ordinal));
        Registry.Clock.Advance(TimeSpan.FromMinutes(2));
        await blob.RemoveRepository("a/app");
        await blob.RemoveRepository("never/linked");

        Assert.Equal(["b/app"], (await blob.Get())!.Repositories);
    }

    [Fact]
    public async Task The_index_entry_survives_deactivation()
    {
        var blob = NewBlob();
        await blob.Register("copy/one", 77);
        await blob.AddRepository("a/app");
        await blob.AddRepository("b/app");
        Registry.Clock.Advance(TimeSpan.FromMinutes(2));
        await blob.RemoveRepository("b/app");
        await Registry.Client.GetGrain<IBlobGrain>(TestData.Digest("unrelated")).Register("x", 1);

        await Registry.DeactivateAsync(blob);

        var info = await blob.Get();
        Assert.NotNull(info);
        Assert.Equal("copy/one", info.Location);
        Assert.Equal(77, info.Size);
        Assert.Equal(["a/app"], info.Repositories);
        Assert.Equal("copy/one", (await blob.Register("copy/two", 77)).Location);
    }
}
