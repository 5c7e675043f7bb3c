using Microsoft.AspNetCore.Http;
using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Extensions.Audit;

/// <summary>
/// Records, once a request is answered: every request refused by authorization (401, 403: denied,
/// failed logins at the token endpoint among them) and every admin change (a successful request under
/// <c>/api/v1</c> other than GET). Writes are recorded from the event log (<see cref="AuditSubscriber"/>).
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditLog log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var status = context.Response.StatusCode;
        var path = context.Request.Path.Value ?? "";
        var denied = status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden;
        var adminChange = !denied && status < 400 && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            && path.StartsWith("/api/v1/", StringComparison.Ordinal);
        if (!denied && !adminChange)
        {
            return;
        }

        var (repository, reference) = RegistryPath.Parse(path);
        var address = context.Connection.RemoteIpAddress;
        log.Record(new AuditEntry
        {
            Time = DateTimeOffset.UtcNow,
            Actor = context.Features.Get<RequestActor>()?.Actor.Name ?? ActorKinds.Anonymous,
            Address = (address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4() : address)?.ToString(),
            Action = Action(context, path),
            Repository = repository,
            Reference = reference,
            Decision = denied ? AuditDecisions.Denied : AuditDecisions.Allowed,
            Reason = denied ? $"{status} {(status == 401 ? "unauthorized" : "forbidden")}" : $"{context.Request.Method} {Truncate(path)} -> {status}",
            RequestId = context.TraceIdentifier,
        });
    }

    private static string Action(HttpContext context, string path) =>
        path.StartsWith("/api/v1/", StringComparison.Ordinal) ? "admin"
        : path.StartsWith("/v2/", StringComparison.Ordinal) ? (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? "pull" : "push")
        : "login";

    private static string Truncate(string value) => value.Length > 256 ? value[..256] : value;
}

/// <summary>The repository and reference a <c>/v2/</c> path names, matched from its end as the registry's routing does.</summary>
public static class RegistryPath
{
    private static readonly string[] Areas = ["/manifests/", "/blobs/uploads/", "/blobs/", "/tags/", "/referrers/"];

    public static (string? Repository, string? Reference) Parse(string path)
    {
        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return (null, null);
        }

        foreach (var area in Areas)
        {
            var at = path.LastIndexOf(area, StringComparison.Ordinal);
            if (at > 4)
            {
                var reference = path[(at + area.Length)..];
                return (path[4..at], reference.Length == 0 || area == "/tags/" ? null : reference);
            }
        }

        return (null, null);
    }
}
