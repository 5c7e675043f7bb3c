using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Core.References;
using OrleansRegistry.Extensions.Lifecycle.Gc;

namespace OrleansRegistry.Extensions.Lifecycle;

/// <summary>Lifecycle: online garbage collection (<c>Registry:Gc</c>, <c>/api/v1/gc</c>).</summary>
public sealed class LifecycleExtension : IRegistryExtension
{
    public string Name => "Lifecycle";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GcOptions>()
            .Bind(configuration.GetSection(GcOptions.Section))
            .Validate(o => o.Grace >= TimeSpan.Zero && o.Interval > TimeSpan.Zero, "Registry:Gc:Grace must not be negative and Registry:Gc:Interval must be more than 0")
            .Validate(o => o.UntaggedNamespaces.All(NamespacePattern.IsValid), "Registry:Gc:UntaggedNamespaces holds an invalid namespace pattern")
            .ValidateOnStart();
        services.AddSingleton<GcMetrics>();
        services.AddSingleton<GcPass>();
        services.AddSingleton<GcEndpoints>();
        services.AddHostedService<GcPump>();
    }

    public void MapAdminApi(IEndpointRouteBuilder api) => api.ServiceProvider.GetRequiredService<GcEndpoints>().Map(api);

    public void UseMiddleware(IApplicationBuilder app)
    {
    }
}
