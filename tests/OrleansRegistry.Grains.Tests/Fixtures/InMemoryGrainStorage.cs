using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansRegistry.Grains.Tests.Fixtures;

/// <summary>
/// A minimal grain storage in memory with etag checks, for driving <c>BucketedMap</c> without a
/// silo. Every record can be copied into another storage (<see cref="CopyToAsync"/>), and writes
/// can be held at a gate to observe what readers see meanwhile.
/// </summary>
public sealed class InMemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string StateName, GrainId GrainId), Record> _records = new();
    private int _writes;

    /// <summary>When set, every write waits for it before it is stored.</summary>
    public TaskCompletionSource? WriteGate { get; set; }

    /// <summary>When set, the next write is stored (and hands back its etag) but then throws, as a failed final fsync.</summary>
    public bool FailNextWriteAfterStoring { get; set; }

    public int WriteCount => Volatile.Read(ref _writes);

    public IReadOnlyCollection<string> StateNames => [.. _records.Keys.Select(k => k.StateName)];

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_records.TryGetValue((stateName, grainId), out var record))
        {
            grainState.State = (T)record.State;
            grainState.ETag = record.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (WriteGate is { } gate)
        {
            await gate.Task;
        }

        var key = (stateName, grainId);
        _records.TryGetValue(key, out var current);
        if (current?.ETag != grainState.ETag)
        {
            throw new InconsistentStateException($"etag mismatch on {stateName}", current?.ETag ?? "", grainState.ETag ?? "");
        }

        var etag = Guid.NewGuid().ToString("N");
        var state = grainState.State!;
        _records[key] = new Record(state, etag, target => target.WriteStateAsync(stateName, grainId, new GrainState<T>(state)));
        Interlocked.Increment(ref _writes);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        if (FailNextWriteAfterStoring)
        {
            FailNextWriteAfterStoring = false;
            throw new IOException($"injected failure after storing {stateName}");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _records.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    /// <summary>Writes every record, as last stored here, into <paramref name="target"/> (which must not hold them yet).</summary>
    public async Task<int> CopyToAsync(IGrainStorage target, int parallelism = 8)
    {
        var records = _records.Values.ToList();
        await Parallel.ForEachAsync(
            records,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (record, _) => await record.CopyTo(target));
        return records.Count;
    }

    private sealed record Record(object State, string ETag, Func<IGrainStorage, Task> CopyTo);
}
