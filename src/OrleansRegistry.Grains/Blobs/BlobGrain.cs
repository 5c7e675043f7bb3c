namespace OrleansRegistry.Grains.Blobs;

public sealed class BlobGrain(
    [PersistentState("blob", GrainStorageNames.Registry)] IPersistentState<BlobState> state)
    : Grain, IBlobGrain
{
    public Task<BlobInfo?> Get() => Task.FromResult(Snapshot());

    public async Task<BlobInfo> Register(string location, long size)
    {
        if (state.State.Location is null)
        {
            state.State.Location = location;
            state.State.Size = size;
            await WriteOrRollBackAsync(() =>
            {
                state.State.Location = null;
                state.State.Size = 0;
            });
        }

        return Snapshot()!;
    }

    public async Task AddRepository(string repository)
    {
        if (state.State.Repositories.Add(repository))
        {
            await WriteOrRollBackAsync(() => state.State.Repositories.Remove(repository));
        }
    }

    public async Task RemoveRepository(string repository)
    {
        if (state.State.Repositories.Remove(repository))
        {
            await WriteOrRollBackAsync(() => state.State.Repositories.Add(repository));
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
