namespace OrleansRegistry.Server.RateLimiting;

/// <summary>
/// The <c>Registry:RateLimit</c> configuration section. Every key is listed in docs/configuration.md.
/// Limits are token buckets kept in memory per silo (no shared state on the request path): behind
/// the edge the cluster-wide limit of one client is the per-silo limit times the number of silos.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Registry:RateLimit";

    /// <summary>Whether requests are rate limited at all. Default true, with generous limits.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Callers with a valid token naming a user or robot, one bucket per subject. Default 500/s, burst 1000 (a CI runner pulling a many-layer image).</summary>
    public TokenBucketLimit Identified { get; set; } = new() { Permits = 500, Burst = 1000 };

    /// <summary>Everyone else (mode None, anonymous tokens, no or invalid token), one bucket per client address. Default 200/s, burst 400 (a NAT of many nodes shares one address).</summary>
    public TokenBucketLimit Anonymous { get; set; } = new() { Permits = 200, Burst = 400 };

    /// <summary>Requests to the token endpoint, one bucket per client address. Default 20/s, burst 50.</summary>
    public TokenBucketLimit TokenRequests { get; set; } = new() { Permits = 20, Burst = 50 };

    /// <summary>
    /// Failed logins at the token endpoint, one bucket per client address. Once empty, every token
    /// request with credentials from that address is refused before its password is checked.
    /// Default 10 a minute, burst 10.
    /// </summary>
    public TokenBucketLimit FailedLogins { get; set; } = new() { Permits = 10, Period = TimeSpan.FromMinutes(1), Burst = 10 };
}

/// <summary>A token bucket: <see cref="Permits"/> tokens added every <see cref="Period"/>, at most <see cref="Burst"/> held.</summary>
public sealed class TokenBucketLimit
{
    /// <summary>Tokens added per <see cref="Period"/> (spread evenly over it); 0 turns this limit off.</summary>
    public int Permits { get; set; }

    /// <summary>Default one second.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bucket size: how many requests may come at once after a quiet time. Never less than 1.</summary>
    public int Burst { get; set; }

    public bool IsOff => Permits <= 0;
}
