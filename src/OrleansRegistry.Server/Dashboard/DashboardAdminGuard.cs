using Microsoft.Net.Http.Headers;
using OrleansRegistry.Server.Auth;

namespace OrleansRegistry.Server.Dashboard;

/// <summary>
/// Lets a request reach the dashboard only with HTTP basic credentials of a registry admin
/// (<see cref="AdminAuthenticator"/>, as for the admin API): 401 with a basic challenge (so a browser
/// asks) when there are none or they are wrong, 403 for a non-admin.
/// </summary>
public sealed class DashboardAdminGuard(RequestDelegate next, AdminAuthenticator admins, AuthSettings settings)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var check = await admins.CheckAsync(context, "dashboard", acceptBearer: false);
        switch (check.Decision)
        {
            case AdminDecision.Unauthenticated:
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers[HeaderNames.WWWAuthenticate] = $"Basic realm=\"{settings.Options.Service} dashboard\"";
                return;
            case AdminDecision.NotAdmin:
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            default:
                await next(context);
                return;
        }
    }
}
