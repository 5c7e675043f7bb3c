using System.Threading.RateLimiting;
using OrleansRegistry.Server.Telemetry;

namespace OrleansRegistry.Server.RateLimiting;

/// <summary>Which bucket a request is charged to.</summary>
public enum RateLimitKind
{
    /// <summary>A user or robot with a valid token (partition: the subject).</summary>
    Identified,

    /// <summary>Anyone else (partition: the client address after trusted forwarded headers).</summary>
    Anonymous,

    /// <summary>Token requests that cost a bcrypt check (partition: the client address).</summary>
    TokenRequest,

    /// <summary>Failed logins (partition: the client address).</summary>
    FailedLogin,
}

/// <summary>A rejected request: how long the client should wait.</summary>
public readonly record struct RateLimitRejection(RateLimitKind Kind, TimeSpan RetryAfter)
{
    /// <summary>Whole seconds for <c>Retry-After</c>, at least 1.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>
/// The token buckets of this silo (<see cref="PartitionedRateLimiter"/>, one partition per identity
/// or address; idle partitions are dropped by the limiter). No queueing: a request over the limit is
/// refused at once. Counts rejections in <c>registry_rate_limited_total</c> by kind.
/// </summary>
public sealed class RegistryRateLimiter : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly RegistryMetrics _metrics;
    private readonly PartitionedRateLimiter<(RateLimitKind Kind, string Key)> _limiter;

    public RegistryRateLimiter(RateLimitOptions options, RegistryMetrics metrics)
    {
        _options = options;
        _metrics = metrics;
        _limiter = PartitionedRateLimiter.Create<(RateLimitKind Kind, string Key), (RateLimitKind, string)>(resource =>
        {
            var limit = Limit(resource.Kind);
            return limit.IsOff
                ? RateLimitPartition.GetNoLimiter(resource)
                : RateLimitPartition.GetTokenBucketLimiter(resource, _ => Bucket(limit));
        });
    }

    /// <summary>Whether the request limits (identified, anonymous) apply; the security limits always do.</summary>
    public bool RequestLimitsEnabled => _options.Enabled;

    /// <summary>Takes one permit for the request; null when allowed, the rejection otherwise (already counted).</summary>
    public RateLimitRejection? TryAcquire(RateLimitKind kind, string key)
    {
        if (kind is RateLimitKind.Identified or RateLimitKind.Anonymous && !RequestLimitsEnabled)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire((kind, key));
        return lease.IsAcquired ? null : Rejected(kind, lease);
    }

    /// <summary>Whether <paramref name="address"/> used up its failed logins: then credentials are not even checked.</summary>
    public RateLimitRejection? LoginBlocked(string address)
    {
        var limit = Limit(RateLimitKind.FailedLogin);
        if (limit.IsOff)
        {
            return null;
        }

        // Looks without taking: the bucket refills continuously, so "empty" is less than one whole permit.
        if (_limiter.GetStatistics((RateLimitKind.FailedLogin, address)) is not { CurrentAvailablePermits: < 1 })
        {
            return null;
        }

        _metrics.RateLimited(RateLimitKind.FailedLogin);
        return new RateLimitRejection(RateLimitKind.FailedLogin, Bucket(limit).ReplenishmentPeriod);
    }

    /// <summary>Charges a failed login to <paramref name="address"/>; true when that used up the last one.</summary>
    public bool LoginFailed(string address)
    {
        if (Limit(RateLimitKind.FailedLogin).IsOff)
        {
            return false;
        }

        var key = (RateLimitKind.FailedLogin, address);
        using var lease = _limiter.AttemptAcquire(key);
        return !lease.IsAcquired || _limiter.GetStatistics(key)?.CurrentAvailablePermits == 0;
    }

    private RateLimitRejection Rejected(RateLimitKind kind, RateLimitLease lease)
    {
        _metrics.RateLimited(kind);
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Limit(kind).Period;
        return new RateLimitRejection(kind, retryAfter);
    }

    private TokenBucketLimit Limit(RateLimitKind kind) => kind switch
    {
        RateLimitKind.Identified => _options.Identified,
        RateLimitKind.Anonymous => _options.Anonymous,
        RateLimitKind.TokenRequest => _options.TokenRequests,
        _ => _options.FailedLogins,
    };

    /// <summary>
    /// The bucket of a limit: the permits of a period are added in up to 10 equal steps (100 per
    /// second becomes 10 every 100 ms), so a client is not refused for most of a period after a burst.
    /// </summary>
    public static TokenBucketRateLimiterOptions Bucket(TokenBucketLimit limit)
    {
        var steps = Enumerable.Range(1, Math.Min(10, limit.Permits)).Last(s => limit.Permits % s == 0);
        var period = limit.Period > TimeSpan.Zero ? limit.Period : TimeSpan.FromSeconds(1);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, limit.Burst),
            TokensPerPeriod = limit.Permits / steps,
            ReplenishmentPeriod = period / steps,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    public void Dispose() => _limiter.Dispose();
}
