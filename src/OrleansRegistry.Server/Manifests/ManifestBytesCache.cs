namespace OrleansRegistry.Server.Manifests;

/// <summary>
/// The bytes of manifests this silo served or stored recently, keyed by (repository, digest),
/// least recently used first out once the total passes <c>Registry:Cache:ManifestBytes</c>.
/// </summary>
/// <remarks>
/// The bytes under a digest never change, so a cached entry can never be wrong about content; it
/// can only be stale about <em>existence</em>. This cache therefore never answers whether a
/// manifest exists: callers first ask the repository grain (the one authority, read-your-writes),
/// and only take the bytes from here. The key includes the repository so that a manifest stored
/// in one repository is never served through another's path even when both hold the digest.
/// One lock guards the map and the recency list; it is held for a dictionary lookup and a
/// pointer move, never across I/O.
/// </remarks>
public sealed class ManifestBytesCache
{
    /// <summary>Bookkeeping charged per entry on top of its bytes (key strings, node, entry object).</summary>
    public const int EntryOverhead = 256;

    private readonly Lock _lock = new();
    private readonly Dictionary<Key, LinkedListNode<CachedManifest>> _entries = [];
    private readonly LinkedList<CachedManifest> _recency = [];
    private long _size;

    public ManifestBytesCache(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>The most bytes (plus <see cref="EntryOverhead"/> per entry) held at once; 0 disables the cache.</summary>
    public long Capacity { get; }

    /// <summary>What is held now, overhead included.</summary>
    public long Size
    {
        get
        {
            lock (_lock)
            {
                return _size;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The cached bytes of <paramref name="digest"/> as stored in <paramref name="repository"/>, marking them recently used.</summary>
    public bool TryGet(string repository, string digest, out CachedManifest manifest)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(new Key(repository, digest), out var node))
            {
                if (node != _recency.First)
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                }

                manifest = node.Value;
                return true;
            }
        }

        manifest = null!;
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="bytes"/> (which must be exactly the content of <paramref name="digest"/> and
    /// must not be changed afterwards) and returns the entry to serve; evicts least recently used entries
    /// to stay within <see cref="Capacity"/>. Content larger than the capacity is not kept.
    /// </summary>
    public CachedManifest Add(string repository, string digest, byte[] bytes)
    {
        var manifest = new CachedManifest(repository, digest, bytes);
        var cost = Cost(manifest);
        if (cost > Capacity)
        {
            return manifest;
        }

        lock (_lock)
        {
            var key = new Key(repository, digest);
            if (_entries.TryGetValue(key, out var existing))
            {
                // The same digest has the same bytes: keep the first, refresh its recency.
                _recency.Remove(existing);
                _recency.AddFirst(existing);
                return existing.Value;
            }

            while (_size + cost > Capacity && _recency.Last is { } oldest)
            {
                RemoveNode(oldest);
            }

            _entries.Add(key, _recency.AddFirst(manifest));
            _size += cost;
            return manifest;
        }
    }

    /// <summary>Drops one entry (after a delete on this silo). Returns whether it was held.</summary>
    public bool Remove(string repository, string digest)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(new Key(repository, digest), out var node))
            {
                return false;
            }

            RemoveNode(node);
            return true;
        }
    }

    private void RemoveNode(LinkedListNode<CachedManifest> node)
    {
        _recency.Remove(node);
        _entries.Remove(new Key(node.Value.Repository, node.Value.Digest));
        _size -= Cost(node.Value);
    }

    private static long Cost(CachedManifest manifest) => manifest.Bytes.LongLength + EntryOverhead;

    private readonly record struct Key(string Repository, string Digest);
}

/// <summary>
/// One manifest's immutable bytes with the header values derived from its digest, made once so that
/// serving it allocates no strings.
/// </summary>
public sealed class CachedManifest
{
    internal CachedManifest(string repository, string digest, byte[] bytes)
    {
        Repository = repository;
        Digest = digest;
        Bytes = bytes;
        ETag = $"\"{digest}\"";
    }

    public string Repository { get; }

    public string Digest { get; }

    /// <summary>The content; never modified.</summary>
    public byte[] Bytes { get; }

    /// <summary>The <c>ETag</c> header value: the digest in quotes.</summary>
    public string ETag { get; }
}
