using OrleansRegistry.Grains.State;
using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Uploads;
using Orleans.Placement;
using OrleansRegistry.Grains.Cluster;
using OrleansRegistry.Contracts.Cluster;
using OrleansRegistry.Storage;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Grains.Uploads;

// Local placement: the session lives where its upload was opened, the silo its URL names, so
// chunks the edge routes there call it without a network hop.
[PreferLocalPlacement]
public sealed class UploadSessionGrain(
    [PersistentState("upload", GrainStorageNames.Registry)] IPersistentState<UploadSessionState> state,
    IBlobStore store,
    TimeProvider clock,
    ILocalSiloDetails silo)
    : Grain, IUploadSessionGrain
{
    private readonly string _home = SiloHint.Of(silo.SiloAddress.ToParsableString());

    private UploadProgress _progress = UploadProgress.Empty;
    private DateTimeOffset _lastTouched;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => await LoadProgressAsync(cancellationToken);

    public async Task<UploadSnapshot> Start(string repository)
    {
        var now = clock.GetUtcNow();
        state.State = new UploadSessionState { Repository = repository, CreatedAt = now, UpdatedAt = now };
        await state.WriteStateAsync();
        _progress = UploadProgress.Empty with { UpdatedAt = now };
        return Snapshot()!;
    }

    public Task<UploadSnapshot?> GetStatus(string repository) =>
        Task.FromResult(state.State.Repository == repository ? Snapshot() : null);

    /// <summary>
    /// Records the chunk in the upload's journal, next to its staged bytes, not in grain storage:
    /// one small append there costs a fraction of a state write, on every chunk.
    /// </summary>
    public async Task<ChunkCommitResult> CommitChunk(string repository, long start, long length, string[] parts, byte[] hashState)
    {
        if (state.State.Repository != repository || state.State.CompletedDigest is not null)
        {
            return new ChunkCommitResult { Status = ChunkCommitStatus.UnknownUpload };
        }

        if (start != _progress.Length)
        {
            return new ChunkCommitResult { Status = ChunkCommitStatus.OffsetMismatch, Upload = Snapshot() };
        }

        var record = new ChunkRecord(start, length, parts, hashState, clock.GetUtcNow());
        long journalLength;
        try
        {
            journalLength = await store.AppendJournalAsync(this.GetPrimaryKeyString(), _progress.JournalLength, record.ToBytes(), CancellationToken.None);
        }
        catch (UploadJournalConflictException)
        {
            // Another activation of this session wrote meanwhile (a duplicate during a membership change).
            await LoadProgressAsync(CancellationToken.None);
            return new ChunkCommitResult { Status = ChunkCommitStatus.OffsetMismatch, Upload = Snapshot() };
        }
        catch (BlobNotFoundException)
        {
            return new ChunkCommitResult { Status = ChunkCommitStatus.UnknownUpload };
        }

        _progress = _progress.Apply(record) with { JournalLength = journalLength };
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
            Length = _progress.Length,
            CompletedDigest = digest,
            CreatedAt = state.State.CreatedAt,
            UpdatedAt = clock.GetUtcNow(),
        };
        await state.ReplaceAsync(next);
        _progress = _progress with { UpdatedAt = next.UpdatedAt };
    }

    public async Task Cancel()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        state.State = new UploadSessionState();
        _progress = UploadProgress.Empty;
        DeactivateOnIdle();
    }

    public Task Touch()
    {
        _lastTouched = clock.GetUtcNow();
        return Task.CompletedTask;
    }

    public async Task<bool> ExpireIfIdle(TimeSpan idle)
    {
        var lastActivity = _progress.UpdatedAt > _lastTouched ? _progress.UpdatedAt : _lastTouched;
        if (state.State.Repository is not null && clock.GetUtcNow() - lastActivity < idle)
        {
            return false;
        }

        await Cancel();
        return true;
    }

    /// <summary>
    /// The progress in grain state (uploads of earlier builds recorded chunks there; later ones only
    /// the start and the end), then every journal record that continues it.
    /// </summary>
    private async Task LoadProgressAsync(CancellationToken cancellationToken)
    {
        var persisted = state.State;
        var progress = new UploadProgress(persisted.Length, [.. persisted.Parts], persisted.HashState, persisted.UpdatedAt, 0);
        if (persisted.Repository is not null && persisted.CompletedDigest is null)
        {
            var journal = await store.ReadJournalAsync(this.GetPrimaryKeyString(), cancellationToken);
            foreach (var bytes in journal.Records)
            {
                var record = ChunkRecord.Parse(bytes);
                if (record.Start == progress.Length)
                {
                    progress = progress.Apply(record);
                }
            }

            progress = progress with { JournalLength = journal.Length };
        }

        _progress = progress;
    }

    private UploadSnapshot? Snapshot() => state.State.Repository is null
        ? null
        : new UploadSnapshot
        {
            Repository = state.State.Repository,
            Length = _progress.Length,
            Parts = _progress.Parts,
            HashState = _progress.HashState,
            CompletedDigest = state.State.CompletedDigest,
            UpdatedAt = _progress.UpdatedAt,
            Home = _home,
        };

    /// <summary>What the session has committed, and where its journal ends. Never changed in place: snapshots share its arrays.</summary>
    private sealed record UploadProgress(long Length, string[] Parts, byte[] HashState, DateTimeOffset UpdatedAt, long JournalLength)
    {
        public static UploadProgress Empty { get; } = new(0, [], [], default, 0);

        public UploadProgress Apply(ChunkRecord chunk) =>
            this with { Length = chunk.Start + chunk.Length, Parts = [.. Parts, .. chunk.Parts], HashState = chunk.HashState, UpdatedAt = chunk.CommittedAt };
    }
}
