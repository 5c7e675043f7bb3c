namespace OrleansRegistry.Server.RateLimiting;

/// <summary>
/// Who a request comes from, as the request limits see it. Authentication provides it (mode Token);
/// without one, every request is charged to its client address.
/// </summary>
public interface IRateLimitIdentity
{
    /// <summary>Requests never charged to the request limits (the token endpoint: its bcrypt checks have their own limit).</summary>
    bool IsExempt(HttpContext context);

    /// <summary>A key naming the user or robot of a valid access token, or null (then the client address is charged).</summary>
    ValueTask<string?> SubjectAsync(HttpContext context);
}
