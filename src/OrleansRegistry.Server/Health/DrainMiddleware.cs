namespace OrleansRegistry.Server.Health;

/// <summary>Counts requests in flight and, once a drain refuses new work, answers 503 with <c>Connection: close</c>.</summary>
public sealed class DrainMiddleware(RequestDelegate next, DrainCoordinator drain)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (drain.IsRefusing && !HealthEndpoints.IsProbe(context.Request.Path))
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
