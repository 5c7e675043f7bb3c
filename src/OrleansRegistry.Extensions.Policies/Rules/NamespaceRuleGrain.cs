using OrleansRegistry.Grains.State;

namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>What a rule grain persists: each kind keeps its own state type (and so its stored records).</summary>
public interface INamespaceRuleState<TRule>
{
    long Version { get; set; }
    Dictionary<string, TRule> Rules { get; set; }
}

/// <summary>Keeps the rules of one kind; a change is stored before it is acknowledged, and only then seen by reads.</summary>
public abstract class NamespaceRuleGrain<TRule, TState>(IPersistentState<TState> state) : Grain, INamespaceRuleGrain<TRule>
    where TRule : INamespaceRule<TRule>
    where TState : INamespaceRuleState<TRule>, new()
{
    private RuleSnapshot<TRule>? _snapshot;

    public Task<RuleSnapshot<TRule>> GetSnapshot() => Task.FromResult(_snapshot ??= Snapshot(state.State));

    public async Task<RuleChange<TRule>> Put(TRule rule)
    {
        var existed = state.State.Rules.ContainsKey(rule.Pattern);
        return new(existed, await MutateAsync(rules => rules[rule.Pattern] = rule));
    }

    public async Task<RuleChange<TRule>> Delete(string pattern) =>
        state.State.Rules.ContainsKey(pattern)
            ? new(true, await MutateAsync(rules => rules.Remove(pattern)))
            : new(false, await GetSnapshot());

    public Task<RuleSnapshot<TRule>> ApplyConfiguration(TRule[] rules) => MutateAsync(stored =>
    {
        foreach (var rule in rules)
        {
            stored[rule.Pattern] = rule.Declared();
        }
    });

    private async Task<RuleSnapshot<TRule>> MutateAsync(Action<Dictionary<string, TRule>> change)
    {
        var next = new TState { Version = state.State.Version + 1, Rules = new(state.State.Rules, StringComparer.Ordinal) };
        change(next.Rules);
        await state.ReplaceAsync(next);
        return _snapshot = Snapshot(next);
    }

    private static RuleSnapshot<TRule> Snapshot(TState state) => new()
    {
        Version = state.Version,
        Rules = [.. state.Rules.Values.OrderBy(r => r.Pattern, StringComparer.Ordinal)],
    };
}
