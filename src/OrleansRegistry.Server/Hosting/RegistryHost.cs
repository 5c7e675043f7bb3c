using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains;
using OrleansRegistry.Grains.Events;
using OrleansRegistry.Grains.Persistence;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Hosting.Transport;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Cluster;
using OrleansRegistry.Server.Dashboard;
using OrleansRegistry.Server.Health;
using OrleansRegistry.Server.Endpoints;
using OrleansRegistry.Server.Events;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Maintenance;
using OrleansRegistry.Server.Manifests;
using OrleansRegistry.Server.Policies;
using OrleansRegistry.Server.RateLimiting;
using OrleansRegistry.Server.Routing;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Server.Uploads;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Hosting;

/// <summary>Builds the gateway silo: Kestrel, the OCI endpoints and an Orleans silo in one process.</summary>
public static class RegistryHost
{
    /// <param name="args">Command-line arguments (configuration).</param>
    /// <param name="configure">Called on the builder before any service is added (tests add logger providers).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json is read from next to the binary, whatever directory the process starts in
        // (scripts and services start it from elsewhere; without it every request was logged).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var registry = builder.Configuration.GetSection(RegistryOptions.Section).Get<RegistryOptions>() ?? new RegistryOptions();
        ProviderRegistration.Validate(registry, builder.Configuration);
        var dataPath = Path.GetFullPath(registry.DataPath);
        Directory.CreateDirectory(dataPath);

        if (registry.Cluster.GrainStorage == GrainStorageProvider.Files)
        {
            // One process per data directory: a second one would corrupt grain state and uploads.
            builder.Services.AddSingleton(DataDirectoryLock.Acquire(dataPath));
        }

        builder.Services.Configure<RegistryOptions>(builder.Configuration.GetSection(RegistryOptions.Section));
        var telemetry = builder.AddRegistryTelemetry();
        builder.AddRegistryHealth();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddRegistryEventLog(builder.Configuration);
        builder.Services.AddRegistryTags(builder.Configuration);
        builder.Services.AddRegistryBlobStore(registry, builder.Configuration, dataPath);
        builder.Services.AddSingleton<UploadService>();
        builder.Services.AddSingleton(sp => new ManifestBytesCache(sp.GetRequiredService<IOptions<RegistryOptions>>().Value.Cache.ManifestBytes));
        builder.Services.AddSingleton<WritePolicyGate>();
        builder.Services.AddSingleton<ManifestService>();
        builder.Services.AddSingleton<IManifestDeletes, ManifestDeletes>();
        builder.Services.AddSingleton<BaseEndpoints>();
        builder.Services.AddSingleton<CatalogEndpoints>();
        builder.Services.AddSingleton<TagEndpoints>();
        builder.Services.AddSingleton<ManifestEndpoints>();
        builder.Services.AddSingleton<BlobEndpoints>();
        builder.Services.AddSingleton<UploadEndpoints>();
        builder.Services.AddSingleton<ReferrerEndpoints>();
        builder.Services.AddSingleton<TagHistoryEndpoints>();
        builder.Services.AddSingleton<RegistryDispatcher>();
        builder.Services.AddSingleton<EventOrigins>();
        builder.Services.AddSingleton<PullEventRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PullEventRecorder>());
        builder.Services.AddHostedService<EventDeliveryPump>();
        builder.Services.AddSingleton<EventEndpoints>();
        builder.AddRegistryRateLimits();
        builder.Services.AddSingleton<UploadJanitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UploadJanitor>());
        builder.Services.AddHostedService<SiloUrlPublisher>();

        builder.Services.AddTransportMemoryPool(registry.TransportBlockBytes);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Blob uploads are unbounded by default (MaxBlobBytes limits them); manifests check their own limit.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });

        builder.UseOrleans(silo =>
        {
            silo.UseRegistryProviders(registry, builder.Configuration, dataPath);
            if (!string.IsNullOrWhiteSpace(telemetry.OtlpEndpoint))
            {
                // Trace context flows through grain calls only when asked for.
                silo.AddActivityPropagation();
            }

            silo.AddRegistryDashboard(builder.Configuration);
        });

        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // Only the edge's headers are believed: Location headers and the token realm then name the
            // URL the client used, and nobody else can claim another host.
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var network in registry.EffectiveTrustedProxyNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        // After UseOrleans: the auth configuration file is applied once the silo runs.
        builder.AddRegistryAuth(dataPath, registry.Cluster.IsMultiProcess);
        builder.AddRegistryExtensions();

        var app = builder.Build();
        app.UseForwardedHeaders();
        app.UseRegistryRequestId();
        app.UseRegistryHealth();
        app.UseMiddleware<RateLimitMiddleware>();
        app.MapHealth();
        app.MapRegistryMetrics(telemetry);
        app.UseRegistryExtensions();
        app.UseMiddleware<RegistryErrorMiddleware>();
        app.UseMiddleware<TransientRetryMiddleware>();
        var auth = app.MapRegistryAuth();
        app.MapRegistryExtensions(auth);
        app.Services.GetRequiredService<TagHistoryEndpoints>().Map(app);

        app.MapRegistryDashboard();
        var dispatcher = app.Services.GetRequiredService<RegistryDispatcher>();
        app.Map("/v2", branch => branch.Run(dispatcher.DispatchAsync));
        app.Logger.LogInformation("data directory {DataPath}", dataPath);
        app.LogRateLimits();
        return app;
    }
}
