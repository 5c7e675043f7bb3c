namespace OrleansRegistry.Server.RateLimiting;

/// <summary>
/// The <c>Registry:RateLimit</c> configuration section. Every key is listed in docs/configuration.md.
/// Limits are token buckets kept in memory per silo (no shared state on the request path): behind
/// the edge the cluster-wide limit of one client is the per-silo limit times the number of silos.
/// Request limits (<see cref="Identified"/>, <see cref="Anonymous"/>) are opt-in, as in distribution,
/// zot and Harbor: a node pool behind one NAT address or a cache in front of us must not be throttled
/// by a default. The two security limits (<see cref="TokenRequests"/>, <see cref="FailedLogins"/>)
/// are on by default whatever <see cref="Enabled"/> says; set their Permits to 0 to turn them off.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Registry:RateLimit";

    /// <summary>
    /// Whether requests are limited by <see cref="Identified"/> and <see cref="Anonymous"/>. Default
    /// false. The token endpoint is never charged to them (its requests cost a bcrypt check at most,
    /// and <see cref="TokenRequests"/> limits those).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Callers with a valid token naming a user or robot, one bucket per subject. Default 500/s, burst 1000 (a CI runner pulling a many-layer image).</summary>
    public TokenBucketLimit Identified { get; set; } = new() { Permits = 500, Burst = 1000 };

    /// <summary>Everyone else (mode None, anonymous tokens, no or invalid token), one bucket per client address. Default 200/s, burst 400 (a NAT of many nodes shares one address).</summary>
    public TokenBucketLimit Anonymous { get; set; } = new() { Permits = 200, Burst = 400 };

    /// <summary>
    /// Token requests that cost a bcrypt check (a user's password not verified within
    /// <c>Registry:Auth:CredentialCacheDuration</c>, or an unknown user), one bucket per client address.
    /// Anonymous, robot, refresh-token and recently verified requests are never charged, so a pull storm
    /// of kubelets behind one address all get their tokens. Default 20/s, burst 50.
    /// </summary>
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
