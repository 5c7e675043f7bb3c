using Microsoft.AspNetCore.Routing.Patterns;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.References;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Events;
using OrleansRegistry.Server.Manifests;

namespace OrleansRegistry.Server.Endpoints;

/// <summary>
/// The repository API's tag history, allowed by the caller's grants on the repository (<see cref="RepositoryApiAccess"/>):
/// <c>GET /api/v1/repositories/{name}/tags/{tag}/history</c> (pull) answers <c>{"history": [{"digest", "time", "actor"}]}</c>,
/// newest first (404 MANIFEST_UNKNOWN when the tag has none); <c>POST .../rollback</c> <c>{"digest": "sha256:..."}</c>
/// (push) moves the tag back to a digest of its history as a push by tag would (write policies, event), answering
/// <c>{"tag", "digest"}</c>; a digest not in the history is 404 MANIFEST_UNKNOWN. Repository names have slashes: as
/// for <c>/api/v1/namespaces/{pattern}/immutability</c>, the route is a catch-all constrained on its end, and the
/// tag is what follows its last <c>/tags/</c>.
/// </summary>
public sealed class TagHistoryEndpoints(ManifestService manifests, IGrainFactory grains, RepositoryApiAccess access, EventOrigins origins)
{
    private const string TagsSegment = "/tags/";
    private static readonly PathEndsWithConstraint History = new("/history");
    private static readonly PathEndsWithConstraint Rollback = new("/rollback");

    public sealed record RollbackBody(string? Digest);

    public void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(AdminApiGuard.RepositoryApiPrefix);
        api.Map(Route(History), HistoryAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
        api.Map(Route(Rollback), RollbackAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Post]));
    }

    private static RoutePattern Route(PathEndsWithConstraint end) =>
        RoutePatternFactory.Parse("/{**target}", defaults: null, parameterPolicies: new RouteValueDictionary { ["target"] = end });

    private async Task HistoryAsync(HttpContext context)
    {
        var (name, tag) = Parse(context, History);
        await access.RequireAsync(context, name, AccessScope.Pull);
        var history = await grains.GetGrain<IRepositoryGrain>(name).TagHistory(tag);
        if (history.Length == 0)
        {
            throw new OciException(OciErrorCode.ManifestUnknown, "the tag has no history", new { tag });
        }

        await Results.Json(new { history }).ExecuteAsync(context);
    }

    private async Task RollbackAsync(HttpContext context)
    {
        var (name, tag) = Parse(context, Rollback);
        await access.RequireAsync(context, name, AccessScope.Push);
        var body = await AdminRequests.ReadJsonAsync<RollbackBody>(context);
        if (!Digest.TryParse(body!.Digest, out var digest))
        {
            throw new OciException(OciErrorCode.DigestInvalid, "a body {\"digest\": \"sha256:...\"} naming a digest is required", new { digest = body.Digest });
        }

        // Who rolls back, for the push event and the history entry, as the dispatcher does for a /v2 write.
        origins.Attach(context);
        var record = await manifests.RollbackAsync(name, tag, digest.ToString(), context.RequestAborted);
        await Results.Json(new { tag, digest = record.Digest }).ExecuteAsync(context);
    }

    /// <summary>The repository name and tag of <c>{name}/tags/{tag}/&lt;end&gt;</c>, checked before any grain is asked.</summary>
    private static (string Name, string Tag) Parse(HttpContext context, PathEndsWithConstraint end)
    {
        var path = end.Before(context, "target");
        var at = path.LastIndexOf(TagsSegment, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new OciException(OciErrorCode.NameUnknown, "no such API endpoint", new { path = context.Request.Path.Value }, StatusCodes.Status404NotFound);
        }

        var (name, tag) = (path[..at], path[(at + TagsSegment.Length)..]);
        if (!RepositoryName.IsValid(name))
        {
            throw new OciException(OciErrorCode.NameInvalid, detail: new { name });
        }

        return Tag.IsValid(tag) ? (name, tag) : throw new OciException(OciErrorCode.TagInvalid, detail: new { tag });
    }
}
