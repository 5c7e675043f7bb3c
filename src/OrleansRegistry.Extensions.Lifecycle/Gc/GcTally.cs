using System.Collections.Concurrent;

namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>What one run did, counted from its parallel workers.</summary>
internal sealed class GcTally
{
    private readonly ConcurrentQueue<GcItem> _items = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private int _repositories, _manifests, _unlinked, _deleted, _orphans, _seen;
    private long _bytes;
    private bool _fullSweep;

    public void FullSweep(bool done) => _fullSweep = done;

    public void Repository() => Interlocked.Increment(ref _repositories);

    public void Seen() => Interlocked.Increment(ref _seen);

    public void Error(string error) => _errors.Enqueue(error);

    public bool HasErrors => !_errors.IsEmpty;

    public void Add(GcItem item)
    {
        switch (item.Kind)
        {
            case GcItemKinds.Manifest:
                Interlocked.Increment(ref _manifests);
                break;
            case GcItemKinds.BlobLink:
                Interlocked.Increment(ref _unlinked);
                break;
            case GcItemKinds.Blob:
                Interlocked.Increment(ref _deleted);
                Interlocked.Add(ref _bytes, item.Size);
                break;
            default:
                Interlocked.Increment(ref _orphans);
                Interlocked.Add(ref _bytes, item.Size);
                break;
        }

        if (_items.Count < GcPass.MaxItems)
        {
            _items.Enqueue(item);
        }
    }

    public GcRun ToRun(GcRun started, DateTimeOffset finished) => started with
    {
        FinishedAt = finished,
        Repositories = _repositories,
        ManifestsDeleted = _manifests,
        BlobsUnlinked = _unlinked,
        BlobsDeleted = _deleted,
        OrphansDeleted = _orphans,
        BytesReclaimed = _bytes,
        StoredBlobsSeen = _seen,
        FullSweep = _fullSweep,
        Errors = [.. _errors.Take(100)],
        Items = [.. _items],
    };
}

public static class GcItemKinds
{
    public const string Manifest = "manifest";
    public const string BlobLink = "blob-link";
    public const string Blob = "blob";
    public const string Orphan = "orphan";
}
