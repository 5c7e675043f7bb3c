using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Health;
using Orleans.Placement;

namespace OrleansRegistry.Grains.Health;

[PreferLocalPlacement]
public sealed class StorageProbeGrain(
    [PersistentState("probe", GrainStorageNames.Registry)] IPersistentState<StorageProbeState> state)
    : Grain, IStorageProbeGrain
{
    public async Task Probe(string stamp)
    {
        try
        {
            // Read first: a failed probe may have left the ETag behind the stored one.
            await state.ReadStateAsync();
            state.State.Stamp = stamp;
            await state.WriteStateAsync();
            state.State.Stamp = null;
            await state.ReadStateAsync();
            if (state.State.Stamp != stamp)
            {
                throw new InvalidOperationException("the grain storage did not return the state just written");
            }

            await state.ClearStateAsync();
        }
        catch
        {
            // Start from storage again at the next probe.
            DeactivateOnIdle();
            throw;
        }
    }
}

[GenerateSerializer, Alias("storage-probe-state")]
public sealed class StorageProbeState
{
    [Id(0)] public string? Stamp { get; set; }
}
