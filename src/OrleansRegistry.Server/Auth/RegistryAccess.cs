using OrleansRegistry.Server.Telemetry;
using Microsoft.Net.Http.Headers;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Server.Routing;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// The access check of every <c>/v2/</c> request (called by the dispatcher once the route is known)
/// and the questions endpoints ask later (may this caller pull that repository?). In mode None it
/// allows everything. In mode Token: no or a bad token is 401 UNAUTHORIZED with a Bearer challenge;
/// a valid token without the needed scope is 401 (clients fetch a new token only on 401) with
/// <c>error="insufficient_scope"</c>, code DENIED for a known caller, UNAUTHORIZED for an anonymous one.
/// The answer depends only on the token and the route, never on whether the repository exists, so
/// a private repository and a missing one look alike.
/// </summary>
public sealed class RegistryAccess(AuthSettings settings, AuthDirectory directory, TimeProvider clock, RegistryMetrics metrics, TokenService? tokens = null)
{
    private static readonly object ClaimsKey = new();

    public bool Enabled => settings.Mode == AuthMode.Token;

    /// <summary>The claims of the request's validated token; null in mode None or before the check.</summary>
    public static TokenClaims? Caller(HttpContext context) => context.Items.TryGetValue(ClaimsKey, out var value) ? value as TokenClaims : null;

    /// <summary>The scope a route needs: (type, name, action, challenge scope); null for <c>/v2/</c> (any valid token).</summary>
    public static (string Type, string Name, string Action, string Scope)? Required(RouteKind kind, string method, string name)
    {
        if (kind == RouteKind.Base)
        {
            return null;
        }

        if (kind == RouteKind.Catalog)
        {
            return (AccessScope.Registry, AccessScope.Catalog, AccessScope.All, "registry:catalog:*");
        }

        var action = kind switch
        {
            RouteKind.UploadStart or RouteKind.Upload => AccessScope.Push,
            RouteKind.Manifest when HttpMethods.IsPut(method) => AccessScope.Push,
            RouteKind.Manifest or RouteKind.Blob when HttpMethods.IsDelete(method) => AccessScope.Delete,
            _ => AccessScope.Pull,
        };
        var scope = action == AccessScope.Push ? $"repository:{name}:pull,push" : $"repository:{name}:{action}";
        return (AccessScope.Repository, name, action, scope);
    }

    public async ValueTask CheckAsync(HttpContext context, RouteKind kind, string method, string name)
    {
        if (!Enabled)
        {
            return;
        }

        var required = Required(kind, method, name);
        var scope = required?.Scope;
        if (!AuthorizationHeader.TryReadBearer(context.Request, out var token))
        {
            throw Unauthorized(context, scope, null, OciErrorCode.Unauthorized, "authentication required");
        }

        var validation = await tokens!.ValidateAsync(token);
        if (validation.Claims is not { IsRefresh: false } claims)
        {
            throw Unauthorized(context, scope, Challenge.InvalidToken, OciErrorCode.Unauthorized, validation.Error ?? "a refresh token is not an access token");
        }

        context.Items[ClaimsKey] = claims;
        context.Features.Set(new RequestActor(Events.EventOrigins.ActorOf(claims.Subject)));
        if (required is { } need && !claims.Allows(need.Type, need.Name, need.Action))
        {
            var code = claims.Subject is null ? OciErrorCode.Unauthorized : OciErrorCode.Denied;
            throw Unauthorized(context, scope, Challenge.InsufficientScope, code, code.DefaultMessage(), new { scope });
        }
    }

    /// <summary>
    /// Whether the caller may pull <paramref name="repository"/>: its token says so, or (for this
    /// registry's own tokens) the caller's current grants do. Used for the catalog and mounts.
    /// </summary>
    public async Task<bool> MayPullAsync(HttpContext context, string repository)
    {
        if (!Enabled)
        {
            return true;
        }

        var claims = Caller(context);
        if (claims is null)
        {
            return false;
        }

        if (claims.Allows(AccessScope.Repository, repository, AccessScope.Pull))
        {
            return true;
        }

        if (claims.Issuer != settings.Options.Issuer)
        {
            return false;
        }

        var policy = await directory.GetPolicyAsync();
        return policy.RepositoryActions(claims.Subject, repository, clock.GetUtcNow()).Contains(AccessScope.Pull);
    }

    /// <summary>A filter over many repositories with one directory read.</summary>
    public async Task<Func<string, bool>> PullFilterAsync(HttpContext context)
    {
        if (!Enabled)
        {
            return _ => true;
        }

        var claims = Caller(context);
        if (claims is null)
        {
            return _ => false;
        }

        var policy = claims.Issuer == settings.Options.Issuer ? await directory.GetPolicyAsync() : null;
        var now = clock.GetUtcNow();
        return repository => claims.Allows(AccessScope.Repository, repository, AccessScope.Pull)
            || (policy is not null && policy.RepositoryActions(claims.Subject, repository, now).Contains(AccessScope.Pull));
    }

    private OciException Unauthorized(HttpContext context, string? scope, string? error, OciErrorCode code, string message, object? detail = null)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = Challenge.Bearer(context.Request, settings.Options, scope, error);
        metrics.AuthFailure(error ?? "token_required");
        return new OciException(code, message, detail, StatusCodes.Status401Unauthorized);
    }
}
