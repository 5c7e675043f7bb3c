using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Blobs;
namespace OrleansRegistry.Grains.Blobs;

public sealed class BlobGrain(
    [PersistentState("blob", GrainStorageNames.Registry)] IPersistentState<BlobState> state)
    : Grain, IBlobGrain
{
    public Task<BlobInfo?> Get() => Task.FromResult(Snapshot());

    public async Task<BlobInfo> Register(string location, long size)
    {
        await RecordAsync(null, location, size);
        return Snapshot()!;
    }

    public async Task<BlobInfo> RegisterFor(string repository, string location, long size)
    {
        await RecordAsync(repository, location, size);
        return Snapshot()!;
    }

    public Task AddRepository(string repository) => RecordAsync(repository, null, 0);

    public async Task RemoveRepository(string repository)
    {
        if (state.State.Repositories.Remove(repository))
        {
            await WriteOrRollBackAsync(() => state.State.Repositories.Add(repository));
        }
    }

    /// <summary>
    /// Records the location (the first one wins) and a linking repository, whichever of the two is
    /// given and new, in one state write; nothing is written when neither is new.
    /// </summary>
    private async Task RecordAsync(string? repository, string? location, long size)
    {
        var registers = location is not null && state.State.Location is null;
        if (registers)
        {
            state.State.Location = location;
            state.State.Size = size;
        }

        var adds = repository is not null && state.State.Repositories.Add(repository);
        if (registers || adds)
        {
            await WriteOrRollBackAsync(() =>
            {
                if (registers)
                {
                    state.State.Location = null;
                    state.State.Size = 0;
                }

                if (adds)
                {
                    state.State.Repositories.Remove(repository!);
                }
            });
        }
    }

    private async Task WriteOrRollBackAsync(Action rollBack)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            rollBack();
            throw;
        }
    }

    private BlobInfo? Snapshot() => state.State.Location is null
        ? null
        : new BlobInfo { Location = state.State.Location, Size = state.State.Size, Repositories = [.. state.State.Repositories] };
}
