namespace OrleansRegistry.Contracts.Policies;

/// <summary>
/// A rule that may refuse a write to a repository (immutable tags, quotas; later scanning gates). The
/// server asks every registered policy (DI, any number) before it stores a manifest, deletes a tag or
/// deletes a manifest; the first refusal answers the request with the decision's status and an OCI
/// error body of code <c>DENIED</c>. A policy that holds something for an allowed write until it ends
/// (a quota reserves bytes) allows it with <see cref="WriteDecision.AllowHolding"/>, and is told how it
/// ended.
/// </summary>
public interface IWritePolicy
{
    /// <summary>
    /// Whether the policy may refuse a write to <paramref name="repository"/>. Asked before every push and
    /// delete, so answer it from memory: only when some policy governs the repository does the server ask
    /// the repository grain what the write would change and call <see cref="DecideAsync"/>.
    /// </summary>
    bool Governs(string repository);

    /// <summary>The decision on a write to a repository the policy governs.</summary>
    ValueTask<WriteDecision> DecideAsync(WriteRequest write, CancellationToken cancellationToken);
}
