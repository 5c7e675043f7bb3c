using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Extensions.Audit;
using OrleansRegistry.Extensions.Lifecycle;
using OrleansRegistry.Extensions.Notifications;
using OrleansRegistry.Extensions.Policies;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Events;

namespace OrleansRegistry.Server.Hosting;

/// <summary>
/// The seam for the product features (<see cref="IRegistryExtension"/>): each is switched by
/// <c>Registry:Extensions:&lt;Name&gt;:Enabled</c> (default true), adds its services, and maps its admin
/// routes under <c>/api/v1</c> behind the admin guard.
/// </summary>
public static class RegistryExtensions
{
    /// <summary>The features this server is built with.</summary>
    public static IRegistryExtension[] Known() => [new NotificationsExtension(), new AuditExtension(), new LifecycleExtension(), new PoliciesExtension()];

    public static void AddRegistryExtensions(this WebApplicationBuilder builder)
    {
        var enabled = Known().Where(e => builder.Configuration.GetValue($"Registry:Extensions:{e.Name}:Enabled", true)).ToArray();
        foreach (var extension in enabled)
        {
            extension.AddServices(builder.Services, builder.Configuration);
        }

        builder.Services.AddSingleton(new EnabledExtensions(enabled));
    }

    /// <summary>The middleware of every enabled extension, outside the registry's error handling.</summary>
    public static void UseRegistryExtensions(this WebApplication app)
    {
        foreach (var extension in app.Services.GetRequiredService<EnabledExtensions>().All)
        {
            extension.UseMiddleware(app);
        }
    }

    /// <summary>The admin API of the core (events) and of every enabled extension; token mode only, as the admin API itself.</summary>
    public static void MapRegistryExtensions(this WebApplication app, AuthSettings auth)
    {
        var enabled = app.Services.GetRequiredService<EnabledExtensions>().All;
        app.Logger.LogInformation("extensions enabled: {Extensions}", enabled.Length == 0 ? "none" : string.Join(", ", enabled.Select(e => e.Name)));
        if (auth.Mode != AuthMode.Token)
        {
            return;
        }

        var api = app.MapGroup(AdminApiGuard.Prefix);
        app.Services.GetRequiredService<EventEndpoints>().Map(api);
        foreach (var extension in enabled)
        {
            extension.MapAdminApi(api);
        }
    }

    public sealed record EnabledExtensions(IRegistryExtension[] All);
}
