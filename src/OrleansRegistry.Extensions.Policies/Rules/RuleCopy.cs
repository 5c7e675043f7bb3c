namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>
/// This silo's copy of the rules of one kind, answered from memory, with a view made once per snapshot
/// (the decisions over it). Replaced by <see cref="RuleSync{TRule}"/> (at start, then every
/// <see cref="PolicyOptions.RefreshInterval"/>) and by the admin API of this silo after each change.
/// </summary>
public abstract class RuleCopy<TRule, TView>(Func<RuleSnapshot<TRule>, TView> view) : IRuleCopy<TRule>
    where TRule : INamespaceRule<TRule>
{
    private Held _held = new(RuleSnapshot<TRule>.Empty, view(RuleSnapshot<TRule>.Empty));

    public RuleSnapshot<TRule> Snapshot => Volatile.Read(ref _held).Snapshot;

    protected TView Current => Volatile.Read(ref _held).View;

    /// <summary>Takes <paramref name="snapshot"/> unless the copy is already as new (a poll may return after an admin change).</summary>
    public void Adopt(RuleSnapshot<TRule> snapshot)
    {
        var next = new Held(snapshot, view(snapshot));
        var current = Volatile.Read(ref _held);
        while (snapshot.Version > current.Snapshot.Version)
        {
            var seen = Interlocked.CompareExchange(ref _held, next, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }

    private sealed record Held(RuleSnapshot<TRule> Snapshot, TView View);
}

/// <summary>A silo's copy of rules, as <see cref="RuleSync{TRule}"/> and the admin API keep it current.</summary>
public interface IRuleCopy<TRule>
    where TRule : INamespaceRule<TRule>
{
    RuleSnapshot<TRule> Snapshot { get; }

    void Adopt(RuleSnapshot<TRule> snapshot);
}
