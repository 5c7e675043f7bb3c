using OrleansRegistry.Contracts.Repositories;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>The reference graph of one repository's manifests: what garbage collection must keep.</summary>
internal static class ManifestGraph
{
    /// <summary>
    /// The roots and everything they reach: an index's children, and the referrers (signatures, SBOMs)
    /// of every kept manifest, transitively.
    /// </summary>
    public static HashSet<string> Retained(IReadOnlyDictionary<string, ManifestRecord> manifests, IEnumerable<string> roots)
    {
        var referrers = manifests.Values.Where(m => m.Subject is not null).ToLookup(m => m.Subject!, StringComparer.Ordinal);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(roots.Where(manifests.ContainsKey));
        while (pending.TryPop(out var digest))
        {
            if (!kept.Add(digest))
            {
                continue;
            }

            foreach (var child in manifests[digest].ChildManifests.Where(manifests.ContainsKey))
            {
                pending.Push(child);
            }

            foreach (var referrer in referrers[digest])
            {
                pending.Push(referrer.Digest);
            }
        }

        return kept;
    }

    /// <summary>Every blob (config, layers) a kept manifest references.</summary>
    public static HashSet<string> ReferencedBlobs(IReadOnlyDictionary<string, ManifestRecord> manifests, IEnumerable<string> kept) =>
        kept.SelectMany(digest => manifests[digest].Blobs).ToHashSet(StringComparer.Ordinal);
}
