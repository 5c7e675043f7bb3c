using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Server.Events;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// The access check of the repository API (<see cref="AdminApiGuard.RepositoryApiPrefix"/>): the caller,
/// named as for the admin API (basic credentials or a bearer token of this registry), needs the action on
/// the repository by its current grants (<see cref="AccessPolicy.RepositoryActions"/>: what a token request
/// for that scope would be granted; admins have every action, anonymous callers pull public namespaces).
/// In mode None it allows everything, as <c>/v2</c> does. Wrong credentials, or none where anonymous
/// callers may not, are 401 with a basic challenge; a caller without the grant is 403 DENIED.
/// </summary>
public sealed class RepositoryApiAccess(AuthSettings settings, TimeProvider clock, AdminAuthenticator? authenticator = null)
{
    private const string Area = "repository API";

    public async Task RequireAsync(HttpContext context, string repository, string action)
    {
        if (settings.Mode != AuthMode.Token)
        {
            return;
        }

        var (policy, subject) = await authenticator!.AuthenticateAsync(context, Area, acceptBearer: true);
        if (subject is not null)
        {
            context.Features.Set(new RequestActor(EventOrigins.ActorOf(subject)));
        }

        var named = subject is not null || context.Request.Headers.Authorization.Count == 0;
        if (named && policy.RepositoryActions(subject, repository, clock.GetUtcNow()).Contains(action))
        {
            return;
        }

        throw subject is null
            ? authenticator.Unauthenticated(context, Area, "credentials required")
            : new OciException(OciErrorCode.Denied, $"{action} access to the repository is required", new { repository, action }, StatusCodes.Status403Forbidden);
    }
}
