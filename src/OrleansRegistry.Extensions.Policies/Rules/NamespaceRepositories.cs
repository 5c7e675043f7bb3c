using System.Runtime.CompilerServices;
using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Catalog;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>The repositories a namespace pattern covers, from the catalog: only the range of names the pattern's prefix spans.</summary>
public static class NamespaceRepositories
{
    private const int CatalogPage = 1000;

    /// <summary>A repository name is itself (whether or not it exists); <c>team/*</c> the catalog's names after <c>team/</c> that start with it.</summary>
    public static async IAsyncEnumerable<string> ListAsync(IGrainFactory grains, string pattern, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!pattern.EndsWith('*'))
        {
            yield return pattern;
            yield break;
        }

        var prefix = pattern[..^1];
        var catalog = grains.GetGrain<ICatalogGrain>(GrainKeys.Catalog);
        var last = prefix.Length == 0 ? null : prefix;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await catalog.List(last, CatalogPage);
            foreach (var repository in page.Tags)
            {
                if (!NamespacePattern.Covers(pattern, repository))
                {
                    yield break;
                }

                yield return repository;
            }

            if (!page.HasMore || page.Tags.Count == 0)
            {
                yield break;
            }

            last = page.Tags[^1];
        }
    }
}
