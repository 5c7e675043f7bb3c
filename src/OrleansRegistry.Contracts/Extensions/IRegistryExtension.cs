using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansRegistry.Contracts.Extensions;

/// <summary>
/// A product feature beyond the distribution API (webhooks, audit, lifecycle, scanning, replication,
/// the UI), in a project of its own, plugged into the gateway silo through this one seam:
/// <list type="bullet">
/// <item>services, options (bound from its own configuration section) and event subscribers
/// (<see cref="Events.IEventSubscriber"/> registrations) in <see cref="AddServices"/>;</item>
/// <item>grains: found by Orleans in the extension's assembly (it references the Orleans SDK);</item>
/// <item>admin routes under <c>/api/v1/</c>, reached by registry admins only, in <see cref="MapAdminApi"/>;</item>
/// <item>middleware that sees every request and its final status, in <see cref="UseMiddleware"/>.</item>
/// </list>
/// Switched by <c>Registry:Extensions:&lt;Name&gt;:Enabled</c> (default true).
/// </summary>
public interface IRegistryExtension
{
    /// <summary>Short name, as in the switch's configuration key (<c>Notifications</c>, <c>Audit</c>).</summary>
    string Name { get; }

    void AddServices(IServiceCollection services, IConfiguration configuration);

    /// <summary>Maps routes on the admin API group (<c>/api/v1</c>), behind the admin check. Called in token mode only.</summary>
    void MapAdminApi(IEndpointRouteBuilder api);

    /// <summary>Adds middleware outside the registry's error handling (it sees the final status of every request).</summary>
    void UseMiddleware(IApplicationBuilder app);
}
