using Microsoft.AspNetCore.Http;

namespace OrleansRegistry.Hosting.Drain;

/// <summary>
/// Counts requests in flight for the <see cref="DrainCoordinator"/> and, once the drain refuses new
/// work, answers 503 with <c>Connection: close</c> and <c>Retry-After</c>. Probes (<c>isProbe</c>) are
/// always answered and never counted: readiness must be able to say "draining".
/// </summary>
public sealed class DrainMiddleware(RequestDelegate next, DrainCoordinator drain, Func<PathString, bool> isProbe)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (isProbe(context.Request.Path))
        {
            await next(context);
            return;
        }

        if (drain.IsRefusing)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.Connection = "close";
            context.Response.Headers.RetryAfter = "1";
            return;
        }

        drain.RequestStarted();
        try
        {
            await next(context);
        }
        finally
        {
            drain.RequestFinished();
        }
    }
}
