using OrleansRegistry.Core.Errors;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Telemetry;

namespace OrleansRegistry.Server.RateLimiting;

/// <summary>
/// When request limits are on (<see cref="RateLimitOptions.Enabled"/>), charges every request (except
/// <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> and what <see cref="IRateLimitIdentity"/> exempts) to a
/// bucket: the subject of a valid bearer token (a user or robot), or the client address
/// (<see cref="ClientAddress"/>) for everyone else. Over the limit: 429 TOOMANYREQUESTS with <c>Retry-After</c>.
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, RegistryRateLimiter limiter, IServiceProvider services)
{
    private readonly IRateLimitIdentity? _identity = services.GetService<IRateLimitIdentity>();

    public async Task InvokeAsync(HttpContext context)
    {
        if (!limiter.RequestLimitsEnabled || TelemetryHosting.IsOperational(context.Request.Path) || _identity?.IsExempt(context) == true)
        {
            await next(context);
            return;
        }

        var subject = _identity is null ? null : await _identity.SubjectAsync(context);
        var (kind, key) = subject is null ? (RateLimitKind.Anonymous, ClientAddress.Of(context)) : (RateLimitKind.Identified, subject);
        if (limiter.TryAcquire(kind, key) is { } rejection)
        {
            await RejectAsync(context, rejection);
            return;
        }

        await next(context);
    }

    public static async Task RejectAsync(HttpContext context, RateLimitRejection rejection)
    {
        context.Response.Headers.RetryAfter = rejection.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await OciResponses.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests,
            [new OciError(OciErrorCode.TooManyRequests, OciErrorCode.TooManyRequests.DefaultMessage(), new { retryAfterSeconds = rejection.RetryAfterSeconds })]);
    }
}
