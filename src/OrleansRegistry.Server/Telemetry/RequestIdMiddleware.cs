using OrleansRegistry.Hosting.RequestIds;
using System.Diagnostics;
using OrleansRegistry.Core.Http;

namespace OrleansRegistry.Server.Telemetry;

/// <summary>
/// Gives every request an id that follows it from the edge through the silo: the client's (or the
/// edge's) <c>X-Request-Id</c> when it is a sane token, a new one otherwise. The id is echoed in
/// the response header, becomes <see cref="HttpContext.TraceIdentifier"/>, is a tag of the request's
/// trace span, and is in the log scope (<c>RequestId</c>) of everything logged while the request runs.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var id = RequestId.Accept(context.Request.Headers[RequestId.Header].ToString()) ?? Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        context.Response.Headers[RequestId.Header] = id;
        Activity.Current?.SetTag("registry.request_id", id);
        using (logger.BeginScope("RequestId:{RequestId}", id))
        {
            await next(context);
        }
    }
}
