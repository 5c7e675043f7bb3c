using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Contracts.Policies;
using OrleansRegistry.Extensions.Policies.Immutability;

namespace OrleansRegistry.Extensions.Policies;

/// <summary>
/// Policies per namespace that refuse writes (<see cref="IWritePolicy"/>): immutable tags, managed
/// under <c>/api/v1/namespaces/{pattern}/immutability</c> and in the configuration.
/// </summary>
public sealed class PoliciesExtension : IRegistryExtension
{
    public string Name => "Policies";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PolicyOptions>(configuration.GetSection(PolicyOptions.Section));
        services.AddSingleton<ImmutabilityPolicy>();
        services.AddSingleton<IWritePolicy>(sp => sp.GetRequiredService<ImmutabilityPolicy>());
        services.AddSingleton<ImmutabilityEndpoints>();
        services.AddHostedService<ImmutabilitySync>();
    }

    public void MapAdminApi(IEndpointRouteBuilder api) => api.ServiceProvider.GetRequiredService<ImmutabilityEndpoints>().Map(api);

    public void UseMiddleware(IApplicationBuilder app)
    {
    }
}
