using Microsoft.Net.Http.Headers;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// Lets a request under <see cref="AdminApiGuard.Prefix"/> through only for a registry admin
/// (<see cref="AdminAuthenticator"/>: basic credentials or a bearer token of this registry): the one
/// check for the admin API and every extension's routes there. 401 with a basic challenge, 403 for a
/// non-admin, both with an OCI error body.
/// </summary>
public sealed class AdminApiGuard(RequestDelegate next, AdminAuthenticator admins, AuthSettings settings)
{
    public const string Prefix = "/api/v1";

    private static readonly object PolicyKey = new();

    /// <summary>The directory's policy the admin check was made against.</summary>
    public static AccessPolicy Policy(HttpContext context) =>
        context.Items[PolicyKey] as AccessPolicy ?? throw new InvalidOperationException("not behind the admin API guard");

    private static EventActor Actor(string subject) =>
        new() { Name = subject, Kind = AccessPolicy.IsRobotName(subject) ? ActorKinds.Robot : ActorKinds.User };

    public async Task InvokeAsync(HttpContext context)
    {
        var check = await admins.CheckAsync(context, "admin API", acceptBearer: true);
        switch (check.Decision)
        {
            case AdminDecision.Unauthenticated:
                context.Response.Headers[HeaderNames.WWWAuthenticate] = $"Basic realm=\"{settings.Options.Service} admin\"";
                throw new OciException(OciErrorCode.Unauthorized, "admin credentials required", statusCode: StatusCodes.Status401Unauthorized);
            case AdminDecision.NotAdmin:
                context.Features.Set(new RequestActor(Actor(check.Subject!)));
                throw new OciException(OciErrorCode.Denied, "only registry admins may use the admin API", statusCode: StatusCodes.Status403Forbidden);
            default:
                context.Items[PolicyKey] = check.Policy;
                context.Features.Set(new RequestActor(Actor(check.Subject!)));
                await next(context);
                return;
        }
    }
}
