using OrleansRegistry.Hosting.Drain;

namespace OrleansRegistry.Server.Health;

/// <summary>The silo's drain on SIGTERM (<c>Registry:Drain</c>) and its storage probe (<c>Registry:Health</c>).</summary>
public static class HealthHosting
{
    public static WebApplicationBuilder AddRegistryHealth(this WebApplicationBuilder builder)
    {
        var drain = builder.Configuration.GetSection(DrainOptions.Section).Get<DrainOptions>() ?? new DrainOptions();
        builder.Services.AddSingleton(sp => new DrainCoordinator(drain.Delay, drain.Timeout, sp.GetRequiredService<ILogger<DrainCoordinator>>()));

        // The drain runs inside the stop; leave room for it and for the silo to leave the cluster.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = drain.Delay + drain.Timeout + TimeSpan.FromSeconds(30));

        builder.Services.Configure<StorageHealthOptions>(builder.Configuration.GetSection(StorageHealthOptions.Section));
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddHostedService<StorageHealthProbe>();
        return builder;
    }

    /// <summary>Drains on stop, refuses new requests (but probes) while draining, and maps the health endpoints.</summary>
    public static void UseRegistryHealth(this WebApplication app)
    {
        var drain = app.Services.GetRequiredService<DrainCoordinator>();
        app.Lifetime.ApplicationStopping.Register(drain.Drain);
        app.UseMiddleware<DrainMiddleware>((Func<PathString, bool>)HealthEndpoints.IsProbe);
    }
}
