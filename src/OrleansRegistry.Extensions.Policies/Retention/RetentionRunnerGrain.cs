using Orleans.Concurrency;
using OrleansRegistry.Contracts;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>
/// Runs one retention rule (key: its namespace pattern), one run at a time: on its schedule (every silo's
/// <see cref="RetentionPump"/> pokes it, so it lives on after its silo dies) or when an admin asks.
/// </summary>
[Alias("retention-runner")]
public interface IRetentionRunnerGrain : IGrainWithStringKey
{
    /// <summary>Runs the rule now, after the run going on, and answers it; null when the pattern has no rule.</summary>
    [Alias("run")]
    Task<RetentionRun?> Run(bool dryRun);

    /// <summary>Starts a scheduled run when one is due; returns at once.</summary>
    [Alias("poke")]
    Task Poke();

    /// <summary>The last runs, newest first, and whether one is running.</summary>
    [Alias("status")]
    Task<RetentionStatus> Status();

    /// <summary>The rule was deleted: its runs go.</summary>
    [Alias("forget")]
    Task Forget();
}

[GenerateSerializer, Immutable, Alias("retention-status")]
public sealed record RetentionStatus
{
    [Id(0)] public bool Running { get; init; }
    [Id(1)] public RetentionRun[] Runs { get; init; } = [];
}

[GenerateSerializer, Alias("retention-runs-state")]
public sealed class RetentionRunsState
{
    /// <summary>The last runs, newest first (each with at most <see cref="RetentionRunnerGrain.StoredItems"/> of its items).</summary>
    [Id(0)] public List<RetentionRun> Runs { get; set; } = [];

    /// <summary>
    /// When the last scheduled run was due: the next is due a schedule later. Set without a run when the rule
    /// is first seen, so a new rule runs first a schedule after it was made (time for a dry run).
    /// </summary>
    [Id(1)] public DateTimeOffset? LastScheduledAt { get; set; }
}

/// <summary>
/// Runs <see cref="RetentionPass"/> off the grain's scheduler (its calls interleave, so status is answered
/// during a run). The rule is read from <see cref="IRetentionGrain"/> at each start, so a run uses the rule as
/// it is then. A silo that dies mid-run loses that run only.
/// </summary>
[Reentrant]
public sealed class RetentionRunnerGrain(
    [PersistentState("retention-runs", GrainStorageNames.Registry)] IPersistentState<RetentionRunsState> state,
    RetentionPass pass, TimeProvider clock) : Grain, IRetentionRunnerGrain
{
    public const int StoredItems = 100;
    public const int History = 20;

    private Task<RetentionRun?>? _running;

    private string Pattern => this.GetPrimaryKeyString();

    public async Task<RetentionRun?> Run(bool dryRun)
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

        return await (_running = RunAsync("admin", dryRun));
    }

    public async Task Poke()
    {
        if (_running is { IsCompleted: false })
        {
            return;
        }

        var now = clock.GetUtcNow();
        if (state.State.LastScheduledAt is not { } last)
        {
            state.State.LastScheduledAt = now;
            await state.WriteStateAsync();
        }
        else if ((await Rules().GetSnapshot()).Of(Pattern) is { } rule && now - last >= rule.Schedule)
        {
            state.State.LastScheduledAt = now;
            await state.WriteStateAsync();
            _running = RunAsync("schedule", dryRun: false);
        }
    }

    public Task<RetentionStatus> Status() =>
        Task.FromResult(new RetentionStatus { Running = _running is { IsCompleted: false }, Runs = [.. state.State.Runs] });

    public Task Forget() => state.ClearStateAsync();

    private IRetentionGrain Rules() => GrainFactory.GetGrain<IRetentionGrain>(IRetentionGrain.Key);

    private async Task<RetentionRun?> RunAsync(string trigger, bool dryRun)
    {
        var rules = await Rules().GetSnapshot();
        if (rules.Of(Pattern) is not { } rule)
        {
            return null;
        }

        var run = await Task.Run(() => pass.RunAsync(rule, rules, trigger, dryRun, CancellationToken.None));
        state.State.Runs.Insert(0, RetentionTally.Trimmed(run, StoredItems));
        if (state.State.Runs.Count > History)
        {
            state.State.Runs.RemoveRange(History, state.State.Runs.Count - History);
        }

        await state.WriteStateAsync();
        return run;
    }
}
