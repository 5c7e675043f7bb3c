using Microsoft.Net.Http.Headers;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Server.Auth;

/// <summary>What <see cref="AdminAuthenticator"/> found: an admin, nobody (no or wrong credentials), or someone who is not an admin.</summary>
public enum AdminDecision
{
    Admin,
    Unauthenticated,
    NotAdmin,
}

/// <summary>The outcome of an admin check, with the directory's policy it was made against.</summary>
public sealed record AdminCheck(AdminDecision Decision, AccessPolicy Policy, string? Subject);

/// <summary>The caller of an API call outside <c>/v2</c>, as its credentials say: null when it gave none or wrong ones.</summary>
public sealed record ApiCaller(AccessPolicy Policy, string? Subject);

/// <summary>
/// The one admin check, for the admin API and the dashboard: HTTP basic credentials of a registry
/// admin (a user with <c>"admin": true</c>), or, where the caller accepts it, a bearer access token of
/// this registry naming one. Failed logins and denials are logged as security events; the callers
/// turn the decision into their own responses. <see cref="AuthenticateAsync"/> is its first half, for
/// the repository API, which then asks the caller's grants instead of whether it is an admin.
/// </summary>
public sealed class AdminAuthenticator(
    AuthDirectory directory, CredentialVerifier credentials, TokenService tokens, AuthSettings settings, ILogger<AdminAuthenticator> logger)
{
    /// <param name="area">What is being reached, for the logs ("admin API", "dashboard").</param>
    /// <param name="acceptBearer">Whether a bearer token counts (scripts); the dashboard takes basic credentials only (browsers).</param>
    public async Task<AdminCheck> CheckAsync(HttpContext context, string area, bool acceptBearer)
    {
        var (policy, subject) = await AuthenticateAsync(context, area, acceptBearer);
        if (subject is null)
        {
            return new AdminCheck(AdminDecision.Unauthenticated, policy, null);
        }

        if (!policy.IsAdmin(subject))
        {
            logger.LogWarning(new EventId(4003, "SecurityAdminDenied"), "security: {User} is not an admin and was denied the {Area}: {Method} {Path}",
                subject, area, context.Request.Method, context.Request.Path);
            return new AdminCheck(AdminDecision.NotAdmin, policy, subject);
        }

        return new AdminCheck(AdminDecision.Admin, policy, subject);
    }

    /// <summary>Who the request's basic credentials or (with <paramref name="acceptBearer"/>) bearer token of this registry name.</summary>
    public async Task<ApiCaller> AuthenticateAsync(HttpContext context, string area, bool acceptBearer)
    {
        var policy = await directory.GetPolicyAsync();
        string? subject = null;
        if (AuthorizationHeader.TryReadBasic(context.Request, out var name, out var password))
        {
            subject = credentials.Verify(policy, name, password)?.Subject;
            if (subject is null)
            {
                logger.LogWarning(new EventId(4001, "SecurityLoginFailed"), "security: failed {Area} login for {User} from {Address}",
                    area, name.Length > 64 ? name[..64] : name, context.Connection.RemoteIpAddress);
            }
        }
        else if (acceptBearer && AuthorizationHeader.TryReadBearer(context.Request, out var token))
        {
            var validation = await tokens.ValidateAsync(token);
            if (validation.Claims is { IsRefresh: false } claims && claims.Issuer == settings.Options.Issuer)
            {
                subject = claims.Subject;
            }
        }

        return new ApiCaller(policy, subject);
    }

    /// <summary>401 UNAUTHORIZED with a basic challenge naming the registry's service and <paramref name="area"/>.</summary>
    public OciException Unauthenticated(HttpContext context, string area, string message)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = $"Basic realm=\"{settings.Options.Service} {area}\"";
        return new OciException(OciErrorCode.Unauthorized, message, statusCode: StatusCodes.Status401Unauthorized);
    }
}
