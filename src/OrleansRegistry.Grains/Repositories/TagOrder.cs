using OrleansRegistry.Contracts.Repositories;
namespace OrleansRegistry.Grains.Repositories;

/// <summary>
/// The spec's "lexical (case-insensitive alphanumeric) order" for tags and the catalog:
/// case-insensitive first, ordinal to break ties so the order is total and pagination stable.
/// </summary>
public sealed class TagOrder : IComparer<string>
{
    public static readonly TagOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var byLetters = StringComparer.OrdinalIgnoreCase.Compare(x, y);
        return byLetters != 0 ? byLetters : StringComparer.Ordinal.Compare(x, y);
    }

    /// <summary>The page of <paramref name="names"/> after <paramref name="last"/>, at most <paramref name="limit"/>.</summary>
    public static (List<string> Page, bool HasMore) Page(IEnumerable<string> names, string? last, int limit)
    {
        var sorted = names.Where(n => last is null || Instance.Compare(n, last) > 0).ToList();
        sorted.Sort(Instance);
        var page = sorted.Take(Math.Max(limit, 0)).ToList();
        return (page, sorted.Count > page.Count);
    }
}
