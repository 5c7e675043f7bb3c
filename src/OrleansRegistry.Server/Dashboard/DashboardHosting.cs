using Orleans.Dashboard;
using OrleansRegistry.Server.Auth;

namespace OrleansRegistry.Server.Dashboard;

/// <summary>
/// The Orleans dashboard (<c>Microsoft.Orleans.Dashboard</c>), off by default. With token
/// authentication it is served under <see cref="RegistryDashboardOptions.Path"/> to registry admins
/// only (HTTP basic credentials, checked by <see cref="DashboardAdminGuard"/>); without it, only when
/// <see cref="RegistryDashboardOptions.AllowAnonymous"/> says so, and never otherwise (404).
/// </summary>
public static class DashboardHosting
{
    public static ISiloBuilder AddRegistryDashboard(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (OptionsFrom(configuration).Enabled)
        {
            silo.AddDashboard();
        }

        return silo;
    }

    public static void MapRegistryDashboard(this WebApplication app)
    {
        var options = OptionsFrom(app.Configuration);
        if (!options.Enabled)
        {
            return;
        }

        var path = NormalizePath(options.Path);
        var auth = app.Services.GetRequiredService<AuthSettings>();
        if (auth.Mode != AuthMode.Token)
        {
            if (!options.AllowAnonymous)
            {
                app.Logger.LogWarning(
                    "the Orleans dashboard is enabled but not served: authentication is off (Registry:Auth:Mode=None). " +
                    "Turn token authentication on (the dashboard is then for admins), or set Registry:Dashboard:AllowAnonymous=true " +
                    "to show it to anyone who reaches this server");
                return;
            }

            app.Logger.LogWarning("the Orleans dashboard is served to ANYONE at {Path} (Registry:Dashboard:AllowAnonymous=true, authentication off)", path);
        }
        else
        {
            app.UseWhen(
                context => context.Request.Path.StartsWithSegments(path),
                branch => branch.UseMiddleware<DashboardAdminGuard>());
            app.Logger.LogInformation("the Orleans dashboard is served to registry admins at {Path}", path);
        }

        app.MapOrleansDashboard(path);
    }

    private static RegistryDashboardOptions OptionsFrom(IConfiguration configuration) =>
        configuration.GetSection(RegistryDashboardOptions.Section).Get<RegistryDashboardOptions>() ?? new RegistryDashboardOptions();

    private static string NormalizePath(string path)
    {
        var trimmed = path.Trim().TrimEnd('/');
        if (trimmed.Length == 0)
        {
            throw new Hosting.RegistryConfigurationException("Registry:Dashboard:Path must not be the root: the registry's own endpoints live there.");
        }

        return trimmed.StartsWith('/') ? trimmed : "/" + trimmed;
    }
}
