using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Extensions.Notifications.Webhooks;
using OrleansRegistry.Hosting.Outbound;

namespace OrleansRegistry.Extensions.Notifications;

/// <summary>Webhooks: a consumer of the event log per endpoint, managed under <c>/api/v1/webhooks</c> and in the configuration file.</summary>
public sealed class NotificationsExtension : IRegistryExtension
{
    public string Name => "Notifications";

    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<NotificationOptions>(configuration.GetSection(NotificationOptions.Section));
        services.AddOutboundPolicy(configuration);
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookSubscriber>();
        services.AddSingleton<IEventSubscriber>(sp => sp.GetRequiredService<WebhookSubscriber>());
        services.AddSingleton<WebhookEndpoints>();
        services.AddHostedService<WebhookConfiguration>();
    }

    public void MapAdminApi(IEndpointRouteBuilder api) => api.ServiceProvider.GetRequiredService<WebhookEndpoints>().Map(api);

    public void UseMiddleware(IApplicationBuilder app)
    {
    }
}
