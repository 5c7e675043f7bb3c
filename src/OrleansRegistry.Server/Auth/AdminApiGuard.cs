using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Server.Events;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// Lets a request under <see cref="AdminApiGuard.Prefix"/> through only for a registry admin
/// (<see cref="AdminAuthenticator"/>: basic credentials or a bearer token of this registry): the one
/// check for the admin API and every extension's routes there. 401 with a basic challenge, 403 for a
/// non-admin, both with an OCI error body. The repository API (<see cref="RepositoryApiPrefix"/>) is
/// not behind it: its routes are a repository's own operations, allowed by the caller's grants on
/// that repository (<see cref="RepositoryApiAccess"/>), admins included.
/// </summary>
public sealed class AdminApiGuard(RequestDelegate next, AdminAuthenticator admins)
{
    public const string Prefix = "/api/v1";
    public const string RepositoryApiPrefix = Prefix + "/repositories";

    private static readonly object PolicyKey = new();

    /// <summary>Whether the guard checks a request to <paramref name="path"/>.</summary>
    public static bool Guards(PathString path) => path.StartsWithSegments(Prefix) && !path.StartsWithSegments(RepositoryApiPrefix);

    /// <summary>The directory's policy the admin check was made against.</summary>
    public static AccessPolicy Policy(HttpContext context) =>
        context.Items[PolicyKey] as AccessPolicy ?? throw new InvalidOperationException("not behind the admin API guard");

    public async Task InvokeAsync(HttpContext context)
    {
        var check = await admins.CheckAsync(context, "admin API", acceptBearer: true);
        switch (check.Decision)
        {
            case AdminDecision.Unauthenticated:
                throw admins.Unauthenticated(context, "admin", "admin credentials required");
            case AdminDecision.NotAdmin:
                context.Features.Set(new RequestActor(EventOrigins.ActorOf(check.Subject)));
                throw new OciException(OciErrorCode.Denied, "only registry admins may use the admin API", statusCode: StatusCodes.Status403Forbidden);
            default:
                context.Items[PolicyKey] = check.Policy;
                context.Features.Set(new RequestActor(EventOrigins.ActorOf(check.Subject)));
                await next(context);
                return;
        }
    }
}
