namespace OrleansRegistry.Extensions.Policies.Quotas;

/// <summary>
/// The usage of one quota (key: the quota's namespace pattern), in memory: counted from the repositories
/// under the pattern when it activates and on <see cref="Recount"/>, then kept by the pushes
/// (<see cref="Reserve"/>, <see cref="Settle"/>) and the event log's deletes (<see cref="Release"/>).
/// </summary>
[Alias("quota-usage")]
public interface IQuotaUsageGrain : IGrainWithStringKey
{
    /// <summary>Checks a manifest push against <paramref name="limit"/> and, when it fits, counts it at once.</summary>
    /// <param name="blobs">The blobs the manifest references; their sizes are the repository's links', not the manifest's claims.</param>
    [Alias("reserve")]
    Task<QuotaReservation> Reserve(string repository, string digest, long manifestSize, string[] blobs, long limit);

    /// <summary>A reserved push ended, stored or not.</summary>
    [Alias("settle")]
    Task Settle(string repository, string digest, bool stored);

    /// <summary>The manifest was deleted (through the API or by garbage collection). Idempotent.</summary>
    [Alias("release")]
    Task Release(string repository, string digest);

    [Alias("used")]
    Task<long> Used();

    /// <summary>Counts the usage again from the repositories (a quota was set; it also repairs any drift) and returns it.</summary>
    [Alias("recount")]
    Task<long> Recount();

    /// <summary>The quota was deleted: the activation goes.</summary>
    [Alias("forget")]
    Task Forget();
}
