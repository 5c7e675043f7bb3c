using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansRegistry.Hosting.Outbound;

public static class OutboundServices
{
    /// <summary>The one <see cref="OutboundPolicy"/> of the process, from <see cref="OutboundOptions.Section"/>; every feature that calls out adds it.</summary>
    public static IServiceCollection AddOutboundPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => new OutboundPolicy(configuration.GetSection(OutboundOptions.Section).Get<OutboundOptions>() ?? new OutboundOptions()));
        return services;
    }
}
