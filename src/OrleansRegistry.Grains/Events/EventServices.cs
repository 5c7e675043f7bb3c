using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansRegistry.Grains.Events;

public static class EventServices
{
    /// <summary>What the event log's grains need on every silo: their options (<see cref="EventLogOptions.Section"/>) and metrics.</summary>
    public static IServiceCollection AddRegistryEventLog(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<EventLogOptions>(configuration.GetSection(EventLogOptions.Section));
        services.AddSingleton<EventMetrics>();
        services.AddMetrics();
        return services;
    }
}
