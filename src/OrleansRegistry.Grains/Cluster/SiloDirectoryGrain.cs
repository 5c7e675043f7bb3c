using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Cluster;
namespace OrleansRegistry.Grains.Cluster;

public sealed class SiloDirectoryGrain(
    [PersistentState("silos", GrainStorageNames.Registry)] IPersistentState<SiloDirectoryState> state)
    : Grain, ISiloDirectoryGrain
{
    /// <summary>The key of the one directory grain.</summary>

    public async Task Register(string silo, string url)
    {
        if (state.State.Urls.TryGetValue(silo, out var known) && known == url)
        {
            return;
        }

        state.State.Urls[silo] = url;
        await state.WriteStateAsync();
    }

    public async Task Unregister(string silo)
    {
        if (state.State.Urls.Remove(silo))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task Prune(string[] live)
    {
        var dead = state.State.Urls.Keys.Except(live, StringComparer.Ordinal).ToList();
        if (dead.Count == 0)
        {
            return;
        }

        foreach (var silo in dead)
        {
            state.State.Urls.Remove(silo);
        }

        await state.WriteStateAsync();
    }

    public Task<Dictionary<string, string>> GetAll() => Task.FromResult(new Dictionary<string, string>(state.State.Urls, StringComparer.Ordinal));
}

[GenerateSerializer, Alias("silo-directory-state")]
public sealed class SiloDirectoryState
{
    [Id(0)] public Dictionary<string, string> Urls { get; set; } = new(StringComparer.Ordinal);
}
