namespace OrleansRegistry.Edge.Hosting;

/// <summary>
/// Gives every request through the edge an <c>X-Request-Id</c>: the client's when it is 1 to 128
/// visible ASCII characters (the silo accepts the same), a new one otherwise. The id is set on the
/// request before it is proxied (so the silo logs and echoes the same one), returned on the response
/// (the edge's own answers included), and in the log scope (<c>RequestId</c>) of what the edge logs.
/// </summary>
public sealed class EdgeRequestId(RequestDelegate next, ILogger<EdgeRequestId> logger)
{
    public const string Header = "X-Request-Id";

    public const int MaxLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var id = Accept(context.Request.Headers[Header].ToString()) ?? Guid.NewGuid().ToString("N");
        context.Request.Headers[Header] = id;
        context.TraceIdentifier = id;
        context.Response.OnStarting(() =>
        {
            // After YARP copied the silo's headers: exactly one id, the same.
            context.Response.Headers[Header] = id;
            return Task.CompletedTask;
        });
        using (logger.BeginScope("RequestId:{RequestId}", id))
        {
            await next(context);
        }
    }

    internal static string? Accept(string value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return null;
            }
        }

        return value;
    }
}
