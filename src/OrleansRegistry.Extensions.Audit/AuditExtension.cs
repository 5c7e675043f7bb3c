using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Extensions;

namespace OrleansRegistry.Extensions.Audit;

/// <summary>
/// The audit log: the registry's append logs (files under the data directory, or Azure append blobs in
/// a cluster; <c>Registry:Audit</c>), fed by the event log (writes)
/// and by a middleware (refused requests, failed logins, admin changes); read at <c>/api/v1/audit</c>.
/// </summary>
public sealed class AuditExtension : IRegistryExtension
{
    public string Name => "Audit";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuditOptions>(configuration.GetSection(AuditOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<IAuditTrail>(sp => sp.GetRequiredService<AuditLog>());
        services.AddSingleton<IEventSubscriber, AuditSubscriber>();
        services.AddSingleton<AuditEndpoints>();
    }

    public void MapAdminApi(IEndpointRouteBuilder api) => api.ServiceProvider.GetRequiredService<AuditEndpoints>().Map(api);

    public void UseMiddleware(IApplicationBuilder app) => app.UseMiddleware<AuditMiddleware>();
}
