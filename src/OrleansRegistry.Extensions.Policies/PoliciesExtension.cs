using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Contracts.Policies;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Extensions.Policies.Immutability;
using OrleansRegistry.Extensions.Policies.Quotas;
using OrleansRegistry.Extensions.Policies.Retention;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies;

/// <summary>
/// Policies per namespace: immutable tags and quotas, which refuse writes (<see cref="IWritePolicy"/>), and retention,
/// which deletes the tags and manifests its keep rules do not keep; managed under
/// <c>/api/v1/namespaces/{pattern}/immutability</c>, <c>.../quota</c> and <c>.../retention</c> and in the configuration.
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
        AddRuleSync(services, "immutability", sp => sp.GetRequiredService<IGrainFactory>().GetGrain<IImmutabilityGrain>(IImmutabilityGrain.Key),
            sp => sp.GetRequiredService<ImmutabilityPolicy>(), ImmutabilityDeclarations.ReadAsync);

        services.AddSingleton<QuotaPolicy>();
        services.AddSingleton<IWritePolicy>(sp => sp.GetRequiredService<QuotaPolicy>());
        services.AddSingleton<IEventSubscriber, QuotaSubscriber>();
        services.AddSingleton<QuotaEndpoints>();
        AddRuleSync(services, "quota", sp => sp.GetRequiredService<IGrainFactory>().GetGrain<IQuotaGrain>(IQuotaGrain.Key),
            sp => sp.GetRequiredService<QuotaPolicy>(), QuotaDeclarations.ReadAsync);

        services.AddSingleton<RetentionPolicy>();
        services.AddSingleton<RetentionPass>();
        services.AddSingleton<RetentionEndpoints>();
        services.AddSingleton<IEventSubscriber, PullTimesSubscriber>();
        services.AddHostedService<RetentionPump>();
        AddRuleSync(services, "retention", sp => sp.GetRequiredService<IGrainFactory>().GetGrain<IRetentionGrain>(IRetentionGrain.Key),
            sp => sp.GetRequiredService<RetentionPolicy>(), RetentionDeclarations.ReadAsync);
    }

    public void MapAdminApi(IEndpointRouteBuilder api)
    {
        api.ServiceProvider.GetRequiredService<ImmutabilityEndpoints>().Map(api);
        api.ServiceProvider.GetRequiredService<QuotaEndpoints>().Map(api);
        api.ServiceProvider.GetRequiredService<RetentionEndpoints>().Map(api);
    }

    public void UseMiddleware(IApplicationBuilder app)
    {
    }

    private static void AddRuleSync<TRule>(
        IServiceCollection services, string kind, Func<IServiceProvider, INamespaceRuleGrain<TRule>> grain, Func<IServiceProvider, IRuleCopy<TRule>> copy,
        Func<IConfiguration, CancellationToken, Task<TRule[]>> declared)
        where TRule : INamespaceRule<TRule> =>
        services.AddHostedService(sp => new RuleSync<TRule>(kind, grain(sp), copy(sp), declared, sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<IOptions<PolicyOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger($"{typeof(RuleSync<>).Namespace}.{kind}")));
}
