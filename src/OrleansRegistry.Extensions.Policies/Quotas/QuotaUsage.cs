using OrleansRegistry.Contracts.Repositories;

namespace OrleansRegistry.Extensions.Policies.Quotas;

/// <summary>
/// The usage of one quota (pure, one activation's memory): the unique content (by digest: manifests'
/// own bytes, configs, layers) that the namespace's manifests take, each manifest keyed by repository
/// and digest. A digest that several manifests reference, in one repository or several, counts once.
/// A push reserves its manifest before the repository's write (counted at once, so concurrent pushes
/// see each other) and settles it after; a delete releases it. Every step is idempotent per key.
/// </summary>
public sealed class QuotaUsage
{
    private readonly Dictionary<string, Content> _content = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Manifest> _manifests = new(StringComparer.Ordinal);

    /// <summary>Bytes of unique content, pushes in flight included.</summary>
    public long Used { get; private set; }

    public int Manifests => _manifests.Count;

    public static string Key(string repository, string digest) => $"{repository}@{digest}";

    /// <summary>The size this usage knows for a digest, or null when no manifest counted takes it.</summary>
    public long? SizeOf(string digest) => _content.TryGetValue(digest, out var content) ? content.Size : null;

    /// <summary>
    /// Counts a manifest about to be stored, unless that makes <see cref="Used"/> exceed <paramref name="limit"/>.
    /// A manifest counted already (pushed again, or under another tag) adds nothing and is always allowed,
    /// as is a push that adds no new content to a quota that is over its limit.
    /// </summary>
    public QuotaReservation Reserve(string key, IReadOnlyList<ContentSize> footprint, long limit)
    {
        if (_manifests.TryGetValue(key, out var counted))
        {
            counted.Pending++;
            return new QuotaReservation(true, Used, 0);
        }

        var added = footprint.DistinctBy(c => c.Digest).Where(c => !_content.ContainsKey(c.Digest)).Sum(c => c.Size);
        if (added > 0 && Used + added > limit)
        {
            return new QuotaReservation(false, Used, added);
        }

        Add(key, footprint, new Manifest { Pending = 1 });
        return new QuotaReservation(true, Used, added);
    }

    /// <summary>A reserved push ended: stored, the manifest stays counted; not, the reservation goes (unless the manifest is stored anyway).</summary>
    public void Settle(string key, bool stored)
    {
        if (!_manifests.TryGetValue(key, out var manifest) || manifest.Pending == 0)
        {
            return;
        }

        manifest.Pending--;
        manifest.Stored |= stored;
        if (!manifest.Stored && manifest.Pending == 0)
        {
            Remove(key);
        }
    }

    /// <summary>A stored manifest that a count of the repositories found.</summary>
    public void Load(string key, IReadOnlyList<ContentSize> footprint)
    {
        if (!_manifests.ContainsKey(key))
        {
            Add(key, footprint, new Manifest { Stored = true });
        }
    }

    /// <summary>
    /// The manifest was deleted. With a push of it in flight the push's outcome decides; otherwise the
    /// answer is <see cref="ReleaseStep.ConfirmGone"/>: the caller checks that the repository no longer
    /// stores it (it may have been pushed again since the delete) and then calls <see cref="Remove"/>.
    /// </summary>
    public ReleaseStep Release(string key)
    {
        if (!_manifests.TryGetValue(key, out var manifest))
        {
            return ReleaseStep.None;
        }

        if (manifest.Pending > 0)
        {
            manifest.Stored = false;
            return ReleaseStep.None;
        }

        return ReleaseStep.ConfirmGone;
    }

    /// <summary>Stops counting a manifest; content no other counted manifest takes leaves <see cref="Used"/>.</summary>
    public bool Remove(string key)
    {
        if (!_manifests.Remove(key, out var manifest))
        {
            return false;
        }

        foreach (var digest in manifest.Content)
        {
            var content = _content[digest];
            if (--content.Holders == 0)
            {
                _content.Remove(digest);
                Used -= content.Size;
            }
        }

        return true;
    }

    /// <summary>A new usage of the stored manifests a count found, keeping this one's pushes in flight (the count may not have seen them).</summary>
    public QuotaUsage Recounted(IEnumerable<(string Key, ContentSize[] Footprint)> stored)
    {
        var next = new QuotaUsage();
        foreach (var (key, footprint) in stored)
        {
            next.Load(key, footprint);
        }

        foreach (var (key, manifest) in _manifests.Where(m => m.Value.Pending > 0))
        {
            if (next._manifests.TryGetValue(key, out var found))
            {
                found.Pending = manifest.Pending;
            }
            else
            {
                next.Add(key, [.. manifest.Content.Select(d => new ContentSize(d, _content[d].Size))], new Manifest { Pending = manifest.Pending });
            }
        }

        return next;
    }

    private void Add(string key, IReadOnlyList<ContentSize> footprint, Manifest manifest)
    {
        foreach (var piece in footprint.DistinctBy(c => c.Digest))
        {
            if (_content.TryGetValue(piece.Digest, out var content))
            {
                content.Holders++;
            }
            else
            {
                _content[piece.Digest] = new Content { Size = piece.Size, Holders = 1 };
                Used += piece.Size;
            }

            manifest.Content.Add(piece.Digest);
        }

        _manifests[key] = manifest;
    }

    private sealed class Content
    {
        public long Size { get; init; }

        /// <summary>How many counted manifests take this digest.</summary>
        public int Holders { get; set; }
    }

    private sealed class Manifest
    {
        public List<string> Content { get; } = [];

        /// <summary>Pushes of it reserved and not yet settled.</summary>
        public int Pending { get; set; }

        /// <summary>The repository stores it (as far as this usage was told).</summary>
        public bool Stored { get; set; }
    }
}

public enum ReleaseStep
{
    /// <summary>Nothing to release now.</summary>
    None,

    /// <summary>Release once the repository confirms it no longer stores the manifest.</summary>
    ConfirmGone,
}

/// <summary>A push's reservation: allowed or not, the usage (after it when allowed, before it when refused) and what it adds.</summary>
[GenerateSerializer, Immutable, Alias("quota-reservation")]
public sealed record QuotaReservation(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] long Used,
    [property: Id(2)] long Added);
