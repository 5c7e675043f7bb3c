using OrleansRegistry.Contracts.Policies;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Quotas;

/// <summary>
/// Quotas as a write policy. Whether one covers a repository is answered from this silo's copy of the
/// quotas (a push outside every quota costs nothing); a push under one is one call to each covering
/// quota's <see cref="IQuotaUsageGrain"/>, which checks and reserves in one step, and one more when the
/// push ends. Several quotas covering a repository (<c>*</c> and <c>team/*</c>) must all have room.
/// Deletes are not refused: they release usage through <see cref="QuotaSubscriber"/>.
/// </summary>
public sealed class QuotaPolicy(IGrainFactory grains) : RuleCopy<QuotaRule, RuleSnapshot<QuotaRule>>(snapshot => snapshot), IWritePolicy
{
    public bool Governs(string repository) => Current.Covering(repository).Any();

    /// <summary>The usage grains of the quotas covering <paramref name="repository"/>.</summary>
    public IEnumerable<IQuotaUsageGrain> UsagesOf(string repository) => Current.Covering(repository).Select(rule => Usage(rule.Pattern));

    public async ValueTask<WriteDecision> DecideAsync(WriteRequest write, CancellationToken cancellationToken)
    {
        if (write.Action != WriteAction.PushManifest)
        {
            return WriteDecision.Allowed;
        }

        var quotas = Current.Covering(write.Repository).ToArray();
        var blobs = write.Blobs.ToArray();
        var calls = quotas.Select(q => Usage(q.Pattern).Reserve(write.Repository, write.Digest, write.ManifestSize, blobs, q.Bytes)).ToArray();
        var held = new Reservation(write, () => [.. quotas.Where((_, i) => calls[i].IsCompletedSuccessfully && calls[i].Result.Allowed).Select(q => Usage(q.Pattern))]);
        try
        {
            await Task.WhenAll(calls);
        }
        catch
        {
            await held.EndAsync(done: false);
            throw;
        }

        var refused = Array.FindIndex(calls, call => !call.Result.Allowed);
        if (refused < 0)
        {
            return WriteDecision.AllowHolding(held);
        }

        await held.EndAsync(done: false);
        var (quota, reservation) = (quotas[refused], calls[refused].Result);
        return WriteDecision.Deny($"quota exceeded: {reservation.Used}/{quota.Bytes} (the push adds {reservation.Added} bytes; quota of {quota.Pattern})");
    }

    private IQuotaUsageGrain Usage(string pattern) => grains.GetGrain<IQuotaUsageGrain>(pattern);

    /// <summary>The push's reservations in the quotas that allowed it (known once their calls answered), settled when it ends.</summary>
    private sealed class Reservation(WriteRequest write, Func<IQuotaUsageGrain[]> allowing) : IWriteReservation
    {
        public async ValueTask EndAsync(bool done) => await Task.WhenAll(allowing().Select(u => u.Settle(write.Repository, write.Digest, done)));
    }
}
