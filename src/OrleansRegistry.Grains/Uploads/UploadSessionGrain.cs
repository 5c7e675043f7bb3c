using Orleans.Placement;
using OrleansRegistry.Grains.Cluster;

namespace OrleansRegistry.Grains.Uploads;

// Local placement: the session lives where its upload was opened, the silo its URL names, so
// chunks the edge routes there call it without a network hop.
[PreferLocalPlacement]
public sealed class UploadSessionGrain(
    [PersistentState("upload", GrainStorageNames.Registry)] IPersistentState<UploadSessionState> state,
    TimeProvider clock,
    ILocalSiloDetails silo)
    : Grain, IUploadSessionGrain
{
    private readonly string _home = SiloHint.Of(silo.SiloAddress.ToParsableString());

    private DateTimeOffset _lastTouched;

    public async Task<UploadSnapshot> Start(string repository)
    {
        var now = clock.GetUtcNow();
        state.State = new UploadSessionState { Repository = repository, CreatedAt = now, UpdatedAt = now };
        await state.WriteStateAsync();
        return Snapshot()!;
    }

    public Task<UploadSnapshot?> GetStatus(string repository) =>
        Task.FromResult(state.State.Repository == repository ? Snapshot() : null);

    public async Task<ChunkCommitResult> CommitChunk(string repository, long start, long length, string[] parts, byte[] hashState)
    {
        if (state.State.Repository != repository || state.State.CompletedDigest is not null)
        {
            return new ChunkCommitResult { Status = ChunkCommitStatus.UnknownUpload };
        }

        if (start != state.State.Length)
        {
            return new ChunkCommitResult { Status = ChunkCommitStatus.OffsetMismatch, Upload = Snapshot() };
        }

        var next = new UploadSessionState
        {
            Repository = repository,
            Length = start + length,
            Parts = [.. state.State.Parts, .. parts],
            HashState = hashState,
            CreatedAt = state.State.CreatedAt,
            UpdatedAt = clock.GetUtcNow(),
        };
        await WriteAsync(next);
        return new ChunkCommitResult { Status = ChunkCommitStatus.Committed, Upload = Snapshot() };
    }

    public async Task Complete(string digest)
    {
        if (state.State.Repository is null)
        {
            return;
        }

        var next = new UploadSessionState
        {
            Repository = state.State.Repository,
            Length = state.State.Length,
            CompletedDigest = digest,
            CreatedAt = state.State.CreatedAt,
            UpdatedAt = clock.GetUtcNow(),
        };
        await WriteAsync(next);
    }

    public async Task Cancel()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new UploadSessionState();
        DeactivateOnIdle();
    }

    public Task Touch()
    {
        _lastTouched = clock.GetUtcNow();
        return Task.CompletedTask;
    }

    public async Task<bool> ExpireIfIdle(TimeSpan idle)
    {
        var lastActivity = state.State.UpdatedAt > _lastTouched ? state.State.UpdatedAt : _lastTouched;
        if (state.State.Repository is not null && clock.GetUtcNow() - lastActivity < idle)
        {
            return false;
        }

        await Cancel();
        return true;
    }

    /// <summary>Persists the new state; the in-memory state changes only once storage has it.</summary>
    private async Task WriteAsync(UploadSessionState next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }

    private UploadSnapshot? Snapshot() => state.State.Repository is null
        ? null
        : new UploadSnapshot
        {
            Repository = state.State.Repository,
            Length = state.State.Length,
            Parts = [.. state.State.Parts],
            HashState = state.State.HashState,
            CompletedDigest = state.State.CompletedDigest,
            UpdatedAt = state.State.UpdatedAt,
            Home = _home,
        };
}
