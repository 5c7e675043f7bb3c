namespace OrleansRegistry.Contracts.Extensions;

/// <summary>
/// What a feature tells the audit log directly, when the audit extension is on: the registry's own
/// actions that are no repository's event (garbage collection deleting a copy no repository ever
/// held). Everything else reaches the audit log as an event.
/// </summary>
public interface IAuditTrail
{
    /// <summary>Queues an allowed entry by the registry itself (<paramref name="actor"/>: <c>gc</c>, <c>retention</c>).</summary>
    void RecordSystemAction(string actor, string action, string? repository, string? digest, string reason);
}
