using System.Diagnostics;

namespace OrleansRegistry.Server.Telemetry;

/// <summary>
/// Gives every request an id that follows it from the edge through the silo: the client's (or the
/// edge's) <c>X-Request-Id</c> when it is a sane token, a new one otherwise. The id is echoed in
/// the response header, becomes <see cref="HttpContext.TraceIdentifier"/>, is a tag of the request's
/// trace span, and is in the log scope (<c>RequestId</c>) of everything logged while the request runs.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string Header = "X-Request-Id";

    /// <summary>Longest id taken from a client; a longer one is replaced.</summary>
    public const int MaxLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var id = Accept(context.Request.Headers[Header].ToString()) ?? Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        context.Response.Headers[Header] = id;
        Activity.Current?.SetTag("registry.request_id", id);
        using (logger.BeginScope("RequestId:{RequestId}", id))
        {
            await next(context);
        }
    }

    /// <summary>The id when it is 1 to <see cref="MaxLength"/> visible ASCII characters (nothing that could forge a log line or a header).</summary>
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
