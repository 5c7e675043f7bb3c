namespace OrleansRegistry.Contracts.Policies;

/// <summary>
/// Something a policy holds for a write it allowed (a quota's reserved bytes), returned in
/// <see cref="WriteDecision.AllowHolding"/>. The server ends it exactly once per allowed write, when the
/// write has ended: done (the manifest stored, the tag or manifest deleted) or not (a later policy
/// refused, the repository refused, e.g. <c>MANIFEST_BLOB_UNKNOWN</c>, or the request failed).
/// </summary>
public interface IWriteReservation
{
    /// <param name="done">Whether the write happened. Not cancellable: it runs after the request's own end.</param>
    ValueTask EndAsync(bool done);
}
