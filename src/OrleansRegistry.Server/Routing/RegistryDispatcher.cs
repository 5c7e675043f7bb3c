using Microsoft.Extensions.Options;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.References;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Endpoints;
using OrleansRegistry.Server.Events;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Telemetry;

namespace OrleansRegistry.Server.Routing;

/// <summary>
/// The one endpoint behind <c>/v2/</c>: parses the path, validates the repository name,
/// checks the method (405 with <c>Allow</c>) and hands the request to its area's handler.
/// </summary>
public sealed class RegistryDispatcher(
    BaseEndpoints baseEndpoints,
    CatalogEndpoints catalog,
    TagEndpoints tags,
    ManifestEndpoints manifests,
    BlobEndpoints blobs,
    UploadEndpoints uploads,
    ReferrerEndpoints referrers,
    RegistryAccess access,
    EventOrigins origins,
    IOptions<RegistryOptions> options)
{
    private static readonly Dictionary<RouteKind, string[]> Methods = new()
    {
        [RouteKind.Base] = ["GET", "HEAD"],
        [RouteKind.Catalog] = ["GET"],
        [RouteKind.Tags] = ["GET"],
        [RouteKind.Manifest] = ["GET", "HEAD", "PUT", "DELETE"],
        [RouteKind.Blob] = ["GET", "HEAD", "DELETE"],
        [RouteKind.UploadStart] = ["POST"],
        [RouteKind.Upload] = ["GET", "PATCH", "PUT", "DELETE"],
        [RouteKind.Referrers] = ["GET"],
    };

    public async Task DispatchAsync(HttpContext context)
    {
        context.Response.Headers[RegistryHeaders.ApiVersion] = RegistryHeaders.ApiVersionValue;
        // Mapped under /v2: Path is what follows it ("/", "/<name>/manifests/<ref>", ...).
        var path = context.Request.Path.Value ?? "";
        var relative = path.StartsWith('/') ? path[1..] : path;
        var method = context.Request.Method;
        if (!RegistryRoute.TryParse(relative, method, out var route))
        {
            // A POST to ".../blobs/uploads" is a route only for POST; otherwise it's unknown.
            throw new OciException(OciErrorCode.NameUnknown, "no such API endpoint", new { path }, StatusCodes.Status404NotFound);
        }

        TelemetryHosting.SetRoute(context, route.Kind);

        if (route.Kind is not (RouteKind.Base or RouteKind.Catalog) && !RepositoryName.IsValid(route.Name))
        {
            throw new OciException(OciErrorCode.NameInvalid, detail: new { name = route.Name });
        }

        // Token auth: 401 with a Bearer challenge unless the token grants what this route needs.
        await access.CheckAsync(context, route.Kind, method, route.Name);

        var allowed = Allowed(route.Kind);
        if (!allowed.Contains(method, StringComparer.OrdinalIgnoreCase))
        {
            var detail = method == "DELETE" && Methods[route.Kind].Contains("DELETE") ? "deletes are disabled" : $"{method} is not supported here";
            throw OciResponses.MethodNotAllowed(context, allowed, detail);
        }

        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            // A write's grain calls carry who made it, for its events and a tag's history (kept with events off too).
            origins.Attach(context);
        }

        var request = new RegistryRequest(context, route.Name, route.Argument);
        await (route.Kind switch
        {
            RouteKind.Base => baseEndpoints.HandleAsync(request),
            RouteKind.Catalog => catalog.HandleAsync(request),
            RouteKind.Tags => tags.HandleAsync(request),
            RouteKind.Manifest => manifests.HandleAsync(request),
            RouteKind.Blob => blobs.HandleAsync(request),
            RouteKind.UploadStart => uploads.StartAsync(request),
            RouteKind.Upload => uploads.HandleAsync(request),
            RouteKind.Referrers => referrers.HandleAsync(request),
            _ => throw new InvalidOperationException(route.Kind.ToString()),
        });
    }

    private string[] Allowed(RouteKind kind) =>
        options.Value.DeleteEnabled ? Methods[kind] : [.. Methods[kind].Where(m => m != "DELETE")];
}
