using OrleansRegistry.Hosting.RequestIds;

namespace OrleansRegistry.Edge.Hosting;

/// <summary>
/// Gives every request through the edge an <c>X-Request-Id</c>: the client's when it is 1 to 128
/// visible ASCII characters (the silo accepts the same), a new one otherwise. The id is set on the
/// request before it is proxied (so the silo logs and echoes the same one), returned on the response
/// (the edge's own answers included), and in the log scope (<c>RequestId</c>) of what the edge logs.
/// </summary>
public sealed class EdgeRequestId(RequestDelegate next, ILogger<EdgeRequestId> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var id = RequestId.Accept(context.Request.Headers[RequestId.Header].ToString()) ?? Guid.NewGuid().ToString("N");
        context.Request.Headers[RequestId.Header] = id;
        context.TraceIdentifier = id;
        context.Response.OnStarting(() =>
        {
            // After YARP copied the silo's headers: exactly one id, the same.
            context.Response.Headers[RequestId.Header] = id;
            return Task.CompletedTask;
        });
        using (logger.BeginScope("RequestId:{RequestId}", id))
        {
            await next(context);
        }
    }
}
