using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansRegistry.Contracts;

namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>
/// Runs <see cref="GcPass"/> one at a time, off the grain's scheduler (its calls interleave, so status
/// is answered during a run). A dry run while a real one runs waits for it; a real run asked for while
/// one runs joins it. A silo that dies mid-run loses that run only: the schedule lives in the state,
/// and every silo's <see cref="GcPump"/> pokes the grain back to life elsewhere.
/// </summary>
[Reentrant]
public sealed class GarbageCollectorGrain(
    [PersistentState("gc", GrainStorageNames.Registry)] IPersistentState<GcState> state,
    GcPass pass, IOptions<GcOptions> options, TimeProvider clock) : Grain, IGarbageCollectorGrain
{
    public const int StoredItems = 100;

    private Task<GcRun>? _running;
    private bool _runningDry;

    public async Task<GcRun> Run(bool dryRun)
    {
        if (_running is { IsCompleted: false } current && !dryRun && !_runningDry)
        {
            return await current;
        }

        await WaitForRunningAsync();
        return await Start("admin", dryRun);
    }

    public Task Poke()
    {
        var o = options.Value;
        var due = state.State.LastScheduledAt is not { } last || clock.GetUtcNow() - last >= o.Interval;
        if (o.Enabled && due && _running is not { IsCompleted: false })
        {
            _ = Start("schedule", dryRun: false);
        }

        return Task.CompletedTask;
    }

    public Task<GcStatus> Status() =>
        Task.FromResult(new GcStatus { Running = _running is { IsCompleted: false }, Runs = [.. state.State.Runs] });

    private Task<GcRun> Start(string trigger, bool dryRun)
    {
        _runningDry = dryRun;
        _running = RunAsync(trigger, dryRun);
        return _running;
    }

    private async Task<GcRun> RunAsync(string trigger, bool dryRun)
    {
        if (trigger == "schedule")
        {
            state.State.LastScheduledAt = clock.GetUtcNow();
            await state.WriteStateAsync();
        }

        var backfill = !state.State.Backfilled;

        // Asked for, or due: the whole listing. Otherwise a pass costs what there is to collect.
        var full = trigger == "admin" || state.State.LastFullSweepAt is not { } swept || clock.GetUtcNow() - swept >= options.Value.Grace;
        var run = await Task.Run(() => pass.RunAsync(trigger, dryRun, backfill, full, CancellationToken.None));
        state.State.Backfilled |= backfill && run.Errors.Length == 0;
        if (run.FullSweep && !dryRun && run.Errors.Length == 0)
        {
            state.State.LastFullSweepAt = run.StartedAt;
        }

        state.State.Runs.Insert(0, run with { Items = [.. run.Items.Take(StoredItems)] });
        var keep = Math.Max(1, options.Value.History);
        if (state.State.Runs.Count > keep)
        {
            state.State.Runs.RemoveRange(keep, state.State.Runs.Count - keep);
        }

        await state.WriteStateAsync();
        return run;
    }

    private async Task WaitForRunningAsync()
    {
        while (_running is { IsCompleted: false } running)
        {
            try
            {
                await running;
            }
            catch (Exception)
            {
                // Its caller hears of it; this one runs its own.
            }
        }
    }
}
