using OrleansRegistry.Contracts.Policies;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>
/// Immutable tags as a write policy: this silo's copy of the rules, answered from memory. The copy
/// is replaced by <see cref="ImmutabilitySync"/> (at start, then every
/// <see cref="PolicyOptions.RefreshInterval"/>) and by the admin API of this silo after each change.
/// </summary>
public sealed class ImmutabilityPolicy : IWritePolicy
{
    private ImmutabilityRuleSet _rules = new(ImmutabilitySnapshot.Empty);

    public ImmutabilitySnapshot Snapshot => Volatile.Read(ref _rules).Snapshot;

    public bool Governs(string repository) => Volatile.Read(ref _rules).Governs(repository);

    public ValueTask<WriteDecision> DecideAsync(WriteRequest write, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Volatile.Read(ref _rules).Decide(write));

    /// <summary>Takes <paramref name="snapshot"/> unless the copy is already as new (a poll may return after an admin change).</summary>
    public void Adopt(ImmutabilitySnapshot snapshot)
    {
        var next = new ImmutabilityRuleSet(snapshot);
        var current = Volatile.Read(ref _rules);
        while (snapshot.Version > current.Snapshot.Version)
        {
            var seen = Interlocked.CompareExchange(ref _rules, next, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }
}
