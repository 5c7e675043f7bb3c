using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansRegistry.Grains.Persistence;

namespace OrleansRegistry.Grains.Tests.Fixtures;

/// <summary>One write that reached the file storage: the size of the file it produced.</summary>
public sealed record StorageWrite(string StateName, GrainId GrainId, long Bytes);

/// <summary>
/// Wraps our <see cref="FileGrainStorage"/>: records the bytes each write put on disk (the size
/// of the file the atomic rename installed) and can fail one chosen write, before or after it
/// reached the disk.
/// </summary>
public sealed class RecordingGrainStorage(FileGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentQueue<StorageWrite> _writes = new();
    private Fault? _fault;

    public FileGrainStorage Inner => inner;

    public IReadOnlyList<StorageWrite> Writes => [.. _writes];

    public void ResetWrites() => _writes.Clear();

    /// <summary>
    /// Makes the next write matching <paramref name="match"/> throw an <see cref="IOException"/>:
    /// before anything is written, or (<paramref name="afterPersisting"/>) once the new file is in
    /// place, as when the final directory fsync fails.
    /// </summary>
    public void FailNextWrite(Func<string, GrainId, bool> match, bool afterPersisting) =>
        Volatile.Write(ref _fault, new Fault(match, afterPersisting));

    public bool FaultPending => Volatile.Read(ref _fault) is not null;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var fault = TakeFault(stateName, grainId);
        if (fault is { AfterPersisting: false })
        {
            throw new IOException($"injected failure before writing {stateName} of {grainId}");
        }

        await inner.WriteStateAsync(stateName, grainId, grainState);
        _writes.Enqueue(new StorageWrite(stateName, grainId, new FileInfo(inner.GetFilePath(stateName, grainId)).Length));
        if (fault is { AfterPersisting: true })
        {
            throw new IOException($"injected failure after writing {stateName} of {grainId}");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) => inner.Participate(lifecycle);

    private Fault? TakeFault(string stateName, GrainId grainId)
    {
        var fault = Volatile.Read(ref _fault);
        if (fault is null || !fault.Match(stateName, grainId))
        {
            return null;
        }

        return Interlocked.CompareExchange(ref _fault, null, fault) == fault ? fault : null;
    }

    private sealed record Fault(Func<string, GrainId, bool> Match, bool AfterPersisting);
}
