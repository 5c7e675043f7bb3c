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

    public async Task<BlobInfo> RegisterFor(string repository, string location, long size)
    {
        var registers = state.State.Location is null;
        if (registers)
        {
            state.State.Location = location;
            state.State.Size = size;
        }

        var adds = state.State.Repositories.Add(repository);
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
                    state.State.Repositories.Remove(repository);
                }
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
