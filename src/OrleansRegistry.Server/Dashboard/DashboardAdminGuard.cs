using Microsoft.Net.Http.Headers;
using OrleansRegistry.Server.Auth;

namespace OrleansRegistry.Server.Dashboard;

/// <summary>
/// Lets a request reach the dashboard only with HTTP basic credentials of a registry admin (a user
/// with <c>"admin": true</c>), verified against the auth directory like the admin API's: 401 with a
/// basic challenge (so a browser asks) when there are none or they are wrong, 403 for a non-admin.
/// </summary>
public sealed class DashboardAdminGuard(
    RequestDelegate next, AuthDirectory directory, CredentialVerifier credentials, AuthSettings settings, ILogger<DashboardAdminGuard> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var policy = await directory.GetPolicyAsync();
        string? subject = null;
        if (TokenEndpoint.TryReadBasic(context.Request, out var name, out var password))
        {
            subject = credentials.Verify(policy, name, password)?.Subject;
            if (subject is null)
            {
                logger.LogWarning(new EventId(4001, "SecurityLoginFailed"), "security: failed dashboard login for {User} from {Address}",
                    name.Length > 64 ? name[..64] : name, context.Connection.RemoteIpAddress);
            }
        }

        if (subject is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers[HeaderNames.WWWAuthenticate] = $"Basic realm=\"{settings.Options.Service} dashboard\"";
            return;
        }

        if (!policy.IsAdmin(subject))
        {
            logger.LogWarning(new EventId(4003, "SecurityAdminDenied"), "security: {User} is not an admin and was denied the dashboard {Path}",
                subject, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        await next(context);
    }
}
