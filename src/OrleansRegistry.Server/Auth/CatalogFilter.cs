using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;

namespace OrleansRegistry.Server.Auth;

/// <summary>Pages of the catalog that hold only repositories the caller may pull, still <c>n</c> long when enough follow.</summary>
public static class CatalogFilter
{
    private const int ScanPage = 1000;

    public static async Task<TagPage> ListAsync(Func<string?, int, Task<TagPage>> list, Func<string, bool> visible, string? last, int limit)
    {
        var result = new List<string>();
        if (limit <= 0)
        {
            return new TagPage { Tags = result, HasMore = false };
        }

        var cursor = last;
        while (true)
        {
            var page = await list(cursor, Math.Max(limit, ScanPage));
            foreach (var name in page.Tags)
            {
                if (!visible(name))
                {
                    continue;
                }

                if (result.Count == limit)
                {
                    return new TagPage { Tags = result, HasMore = true };
                }

                result.Add(name);
            }

            if (!page.HasMore || page.Tags.Count == 0)
            {
                return new TagPage { Tags = result, HasMore = false };
            }

            cursor = page.Tags[^1];
        }
    }
}
