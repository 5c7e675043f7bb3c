using OrleansRegistry.Contracts;
using OrleansRegistry.Grains.Catalog;
using OrleansRegistry.Contracts.Catalog;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Catalog;

/// <summary>Each test uses its own catalog key, so the tests do not see each other's names.</summary>
public sealed class CatalogGrainTests(RegistryClusterFixture fixture) : IClassFixture<RegistryClusterFixture>
{
    private RegistryCluster Registry => fixture.Registry;

    private ICatalogGrain NewCatalog() => Registry.Client.GetGrain<ICatalogGrain>($"catalog-test-{Guid.NewGuid():N}");

    [Fact]
    public async Task An_empty_catalog_lists_nothing()
    {
        var page = await NewCatalog().List(null, 100);

        Assert.Empty(page.Tags);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task Repositories_are_listed_in_order_and_paged()
    {
        var catalog = NewCatalog();
        foreach (var name in new[] { "zeta/app", "Alpha/app", "alpha/app", "beta/app", "beta/app" })
        {
            await catalog.Add(name);
        }

        Assert.Equal(["Alpha/app", "alpha/app", "beta/app", "zeta/app"], (await catalog.List(null, 100)).Tags);

        var first = await catalog.List(null, 3);
        Assert.Equal(["Alpha/app", "alpha/app", "beta/app"], first.Tags);
        Assert.True(first.HasMore);
        var rest = await catalog.List("beta/app", 3);
        Assert.Equal(["zeta/app"], rest.Tags);
        Assert.False(rest.HasMore);
    }

    [Fact]
    public async Task A_removed_repository_is_no_longer_listed_and_the_list_survives_deactivation()
    {
        var catalog = NewCatalog();
        await catalog.Add("one/app");
        await catalog.Add("two/app");
        await catalog.Remove("one/app");
        await catalog.Remove("never/added");

        await Registry.DeactivateAsync(catalog);

        Assert.Equal(["two/app"], (await catalog.List(null, 100)).Tags);
    }

    [Fact]
    public async Task The_registry_catalog_learns_of_repositories_from_their_first_write_only_once()
    {
        var catalog = Registry.Client.GetGrain<ICatalogGrain>(GrainKeys.Catalog);
        var prefix = $"cat-{Guid.NewGuid():N}";
        var names = new[] { $"{prefix}/b", $"{prefix}/A", $"{prefix}/c" };
        foreach (var name in names)
        {
            var repository = Registry.Client.GetGrain<IRepositoryGrain>(name);
            var digest = TestData.Digest(name);
            await repository.LinkBlob(digest, 1, TestData.BlobLocation(digest));
            await repository.LinkBlob(TestData.Digest("second " + name), 1, "x");
        }

        var listed = (await catalog.List(prefix, 100)).Tags.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();

        Assert.Equal([$"{prefix}/A", $"{prefix}/b", $"{prefix}/c"], listed);
    }
}
