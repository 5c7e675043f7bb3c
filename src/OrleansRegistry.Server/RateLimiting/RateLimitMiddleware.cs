using OrleansRegistry.Core.Errors;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Telemetry;

namespace OrleansRegistry.Server.RateLimiting;

/// <summary>
/// When request limits are on (<see cref="RateLimitOptions.Enabled"/>), charges every request (except
/// <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> and the token endpoint, whose bcrypt checks have their
/// own limit) to a bucket: the subject of a valid bearer token (a user or robot), or the client address
/// for everyone else. The client address is
/// <c>Connection.RemoteIpAddress</c> after the forwarded-headers middleware, so <c>X-Forwarded-For</c>
/// counts only from <c>Registry:TrustedProxyNetworks</c>. Over the limit: 429 TOOMANYREQUESTS with
/// <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, RegistryRateLimiter limiter, AuthSettings auth, IServiceProvider services)
{
    private readonly TokenService? _tokens = auth.Mode == AuthMode.Token ? services.GetService<TokenService>() : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (!limiter.RequestLimitsEnabled || TelemetryHosting.IsOperational(context.Request.Path)
            || context.Request.Path.Equals(auth.Options.TokenPath, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var (kind, key) = await PartitionAsync(context);
        if (limiter.TryAcquire(kind, key) is { } rejection)
        {
            await RejectAsync(context, rejection);
            return;
        }

        await next(context);
    }

    /// <summary>The client address as the rate limits see it (after trusted forwarded headers).</summary>
    public static string ClientAddress(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    public static async Task RejectAsync(HttpContext context, RateLimitRejection rejection)
    {
        context.Response.Headers.RetryAfter = rejection.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await OciResponses.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests,
            [new OciError(OciErrorCode.TooManyRequests, OciErrorCode.TooManyRequests.DefaultMessage(), new { retryAfterSeconds = rejection.RetryAfterSeconds })]);
    }

    private async ValueTask<(RateLimitKind Kind, string Key)> PartitionAsync(HttpContext context)
    {
        if (_tokens is not null)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                // Validated tokens are cached, so the access check after this costs nothing more.
                var validation = await _tokens.ValidateAsync(header["Bearer ".Length..].Trim());
                if (validation.Claims is { IsRefresh: false, Subject: { } subject } claims)
                {
                    return (RateLimitKind.Identified, $"{claims.Issuer}\n{subject}");
                }
            }
        }

        return (RateLimitKind.Anonymous, ClientAddress(context));
    }
}
