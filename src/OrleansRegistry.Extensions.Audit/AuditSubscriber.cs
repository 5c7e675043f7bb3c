using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Extensions.Audit;

/// <summary>Every write of the event log as an allowed audit entry (pulls are not writes, and are left out).</summary>
public sealed class AuditSubscriber(AuditLog log) : IEventSubscriber
{
    public const string Consumer = "audit";

    public IReadOnlyCollection<string> Consumers { get; } = [Consumer];

    public Task<DeliveryResult> DeliverAsync(string consumer, RegistryEvent e, CancellationToken cancellationToken)
    {
        if (e.Action != EventActions.Pull)
        {
            log.Record(new AuditEntry
            {
                Time = e.Time,
                Actor = e.Actor.Name ?? ActorKinds.Anonymous,
                Address = e.Request?.Address,
                Action = e.Action,
                Repository = e.Repository,
                Reference = e.Tag,
                Digest = e.Digest,
                Decision = AuditDecisions.Allowed,
                Reason = e.Reason is null ? $"event {e.Id}" : $"{e.Reason} (event {e.Id})",
                RequestId = e.Request?.Id,
            });
        }

        return Task.FromResult(DeliveryResult.Delivered);
    }
}
