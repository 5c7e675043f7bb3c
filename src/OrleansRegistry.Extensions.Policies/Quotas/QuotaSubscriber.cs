using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Extensions.Policies.Quotas;

/// <summary>
/// Releases usage from the event log's manifest deletes (through the API, and by garbage collection), at
/// least once: <see cref="IQuotaUsageGrain.Release"/> is idempotent and checks that the repository no
/// longer stores the manifest. Blob links leaving a repository change nothing: usage counts what
/// manifests reference.
/// </summary>
public sealed class QuotaSubscriber(QuotaPolicy quotas) : IEventSubscriber
{
    public const string Consumer = "quota";

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public IReadOnlyCollection<string> Consumers { get; } = [Consumer];

    public async Task<DeliveryResult> DeliverAsync(string consumer, RegistryEvent e, CancellationToken cancellationToken)
    {
        if (e.Action != EventActions.Delete || e.Digest is not { } digest)
        {
            return DeliveryResult.Delivered;
        }

        try
        {
            await Task.WhenAll(quotas.UsagesOf(e.Repository).Select(usage => usage.Release(e.Repository, digest)));
            return DeliveryResult.Delivered;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // Held in this partition until the quota's grain answers again, so no release is lost.
            return DeliveryResult.Retry(RetryAfter);
        }
    }
}
