using OrleansRegistry.Contracts;
using OrleansRegistry.Grains.State;

namespace OrleansRegistry.Extensions.Policies.Immutability;

[GenerateSerializer, Alias("immutability-state")]
public sealed class ImmutabilityState
{
    [Id(0)] public long Version { get; set; }
    [Id(1)] public Dictionary<string, ImmutabilityRule> Rules { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Keeps the rules; a change is stored before it is acknowledged, and only then seen by reads.</summary>
public sealed class ImmutabilityGrain(
    [PersistentState("immutability", GrainStorageNames.Registry)] IPersistentState<ImmutabilityState> state) : Grain, IImmutabilityGrain
{
    private ImmutabilitySnapshot? _snapshot;

    public Task<ImmutabilitySnapshot> GetSnapshot() => Task.FromResult(_snapshot ??= Snapshot(state.State));

    public async Task<ImmutabilityChange> Put(ImmutabilityRule rule)
    {
        var existed = state.State.Rules.ContainsKey(rule.Pattern);
        return new(existed, await MutateAsync(rules => rules[rule.Pattern] = rule));
    }

    public async Task<ImmutabilityChange> Delete(string pattern) =>
        state.State.Rules.ContainsKey(pattern)
            ? new(true, await MutateAsync(rules => rules.Remove(pattern)))
            : new(false, await GetSnapshot());

    public Task<ImmutabilitySnapshot> ApplyConfiguration(ImmutabilityRule[] rules) => MutateAsync(stored =>
    {
        foreach (var rule in rules)
        {
            stored[rule.Pattern] = rule with { Source = RuleSources.Configuration };
        }
    });

    private async Task<ImmutabilitySnapshot> MutateAsync(Action<Dictionary<string, ImmutabilityRule>> change)
    {
        var next = new ImmutabilityState { Version = state.State.Version + 1, Rules = new(state.State.Rules, StringComparer.Ordinal) };
        change(next.Rules);
        await state.ReplaceAsync(next);
        return _snapshot = Snapshot(next);
    }

    private static ImmutabilitySnapshot Snapshot(ImmutabilityState state) => new()
    {
        Version = state.Version,
        Rules = [.. state.Rules.Values.OrderBy(r => r.Pattern, StringComparer.Ordinal)],
    };
}
