using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Blobs;

namespace OrleansRegistry.Grains.Blobs;

/// <summary>The candidate set of garbage collection, in one record (a blob becomes a candidate on a delete, which is rare).</summary>
public sealed class GcCandidatesGrain(
    [PersistentState("gc-candidates", GrainStorageNames.Registry)] IPersistentState<GcCandidatesState> state)
    : Grain, IGcCandidatesGrain
{
    public Task Add(string digest) => state.State.Digests.Add(digest) ? state.WriteStateAsync() : Task.CompletedTask;

    public Task Remove(string[] digests) => digests.Count(state.State.Digests.Remove) > 0 ? state.WriteStateAsync() : Task.CompletedTask;

    public Task<string[]> List() => Task.FromResult<string[]>([.. state.State.Digests]);
}

[GenerateSerializer, Alias("gc-candidates-state")]
public sealed class GcCandidatesState
{
    [Id(0)] public HashSet<string> Digests { get; set; } = new(StringComparer.Ordinal);
}
