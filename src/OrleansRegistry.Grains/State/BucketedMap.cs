using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansRegistry.Grains.State;

/// <summary>
/// A string-keyed map of a grain, persisted as <c>bucketCount</c> separate grain-storage
/// records so that one write rewrites one bucket, never the whole map: the cost of a push
/// stays bounded as a repository grows to tens of thousands of tags.
/// Buckets load lazily. A write builds a new bucket, persists it and only then swaps it in,
/// so reads interleaved with a pending write never see an unacknowledged value.
/// Use from one grain activation only (turn-based: no locking needed).
/// </summary>
public sealed class BucketedMap<TValue>
{
    private readonly IGrainStorage _storage;
    private readonly GrainId _grainId;
    private readonly string _name;
    private readonly int _bucketCount;
    private readonly Dictionary<int, Task<Bucket>> _buckets = [];

    public BucketedMap(IGrainStorage storage, GrainId grainId, string name, int bucketCount)
    {
        _storage = storage;
        _grainId = grainId;
        _name = name;
        _bucketCount = bucketCount;
    }

    public async ValueTask<TValue?> GetAsync(string key)
    {
        var bucket = await LoadAsync(BucketOf(key));
        return bucket.Entries.TryGetValue(key, out var value) ? value : default;
    }

    public async ValueTask<bool> ContainsAsync(string key)
    {
        var bucket = await LoadAsync(BucketOf(key));
        return bucket.Entries.ContainsKey(key);
    }

    /// <summary>Sets a value and persists its bucket before returning.</summary>
    public Task SetAsync(string key, TValue value) =>
        UpdateAsync(key, entries => entries[key] = value);

    /// <summary>Removes a key; returns false when it was not there (nothing written).</summary>
    public async Task<bool> RemoveAsync(string key)
    {
        var index = BucketOf(key);
        var bucket = await LoadAsync(index);
        if (!bucket.Entries.ContainsKey(key))
        {
            return false;
        }

        await UpdateAsync(key, entries => entries.Remove(key));
        return true;
    }

    /// <summary>Every entry; loads all buckets.</summary>
    public async Task<List<KeyValuePair<string, TValue>>> GetAllAsync()
    {
        var loads = new Task<Bucket>[_bucketCount];
        for (var i = 0; i < _bucketCount; i++)
        {
            loads[i] = LoadAsync(i);
        }

        var all = new List<KeyValuePair<string, TValue>>();
        foreach (var bucket in await Task.WhenAll(loads))
        {
            all.AddRange(bucket.Entries);
        }

        return all;
    }

    private async Task UpdateAsync(string key, Action<Dictionary<string, TValue>> change)
    {
        var index = BucketOf(key);
        var current = await LoadAsync(index);
        var entries = new Dictionary<string, TValue>(current.Entries, StringComparer.Ordinal);
        change(entries);
        var next = new GrainState<BucketState<TValue>>(new BucketState<TValue> { Entries = entries }, current.ETag)
        {
            RecordExists = current.RecordExists,
        };
        try
        {
            await _storage.WriteStateAsync(StateName(index), _grainId, next);
        }
        catch
        {
            // The write may have reached storage with a new ETag: re-read the bucket before the next use.
            _buckets.Remove(index);
            throw;
        }

        _buckets[index] = Task.FromResult(new Bucket(entries, next.ETag, next.RecordExists));
    }

    private Task<Bucket> LoadAsync(int index)
    {
        if (!_buckets.TryGetValue(index, out var load) || load.IsFaulted || load.IsCanceled)
        {
            load = ReadAsync(index);
            _buckets[index] = load;
        }

        return load;
    }

    private async Task<Bucket> ReadAsync(int index)
    {
        var state = new GrainState<BucketState<TValue>>(new BucketState<TValue>());
        await _storage.ReadStateAsync(StateName(index), _grainId, state);
        var entries = state.State?.Entries ?? new Dictionary<string, TValue>(StringComparer.Ordinal);
        return new Bucket(entries, state.ETag, state.RecordExists);
    }

    private string StateName(int index) => $"{_name}-{index:x3}";

    private int BucketOf(string key)
    {
        // FNV-1a: stable across processes (string.GetHashCode is randomized per process).
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)_bucketCount);
    }

    private sealed record Bucket(Dictionary<string, TValue> Entries, string? ETag, bool RecordExists);
}
