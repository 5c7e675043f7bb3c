using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Configuration;
using OrleansRegistry.Edge.Routing;
using OrleansRegistry.Edge.Tls;
using OrleansRegistry.Hosting.Drain;
using OrleansRegistry.Hosting.Transport;

namespace OrleansRegistry.Edge.Hosting;

/// <summary>Builds the edge: Kestrel (optionally TLS and HTTP/2), YARP, and an Orleans client that follows the cluster.</summary>
public static class EdgeHost
{
    public static WebApplication Build(string[] args)
    {
        // appsettings.json is read from next to the binary, whatever directory the process starts in
        // (scripts and services start it from elsewhere; without it every request was logged).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var section = builder.Configuration.GetSection(EdgeOptions.Section);
        var edge = section.Get<EdgeOptions>() ?? new EdgeOptions();
        builder.Services.Configure<EdgeOptions>(section);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = edge.DrainDelay + edge.DrainTimeout + TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(sp => new DrainCoordinator(edge.DrainDelay, edge.DrainTimeout, sp.GetRequiredService<ILogger<DrainCoordinator>>()));
        builder.Services.AddTransportMemoryPool(edge.TransportBlockBytes);

        builder.UseOrleansClient(client =>
        {
            if (string.Equals(edge.Clustering, "Localhost", StringComparison.OrdinalIgnoreCase))
            {
                client.UseLocalhostClustering(edge.LocalhostGatewayPort, edge.ServiceId, edge.ClusterId);
            }
            else
            {
                var redis = builder.Configuration.GetConnectionString("Redis")
                    ?? throw new InvalidOperationException("Edge:Clustering=Redis needs ConnectionStrings:Redis.");
                client.UseRedisClustering(redis);
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = edge.ClusterId;
                    o.ServiceId = edge.ServiceId;
                });
            }
        });

        builder.Services.AddReverseProxy().LoadFromMemory(
            [ProxyConfiguration.Route()],
            [ProxyConfiguration.Cluster(new Dictionary<string, string>(), edge)]);
        builder.Services.AddSingleton<SiloDestinations>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SiloDestinations>());

        ConfigureKestrel(builder, edge);
        ConfigureForwardedHeaders(builder, edge);

        var app = builder.Build();
        if (edge.TrustedProxyNetworks.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        var drain = app.Services.GetRequiredService<DrainCoordinator>();
        app.Lifetime.ApplicationStopping.Register(drain.Drain);
        app.UseMiddleware<EdgeRequestId>();
        app.UseMiddleware<DrainMiddleware>((Func<PathString, bool>)IsProbe);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (SiloDestinations silos) =>
            drain.IsDraining
                ? Results.Text("draining", statusCode: StatusCodes.Status503ServiceUnavailable)
                : silos.Current.Count > 0
                    ? Results.Text("ready")
                    : Results.Text("no silo to route to", statusCode: StatusCodes.Status503ServiceUnavailable));
        // What the edge routes to right now (silo address → URL): for operators and the cluster tests.
        app.MapGet("/_edge/silos", (SiloDestinations silos) => Results.Json(silos.Current));

        // The silos' metrics are scraped on each silo's own address, never through the public entry.
        app.Map("/metrics", () => Results.NotFound());
        app.MapReverseProxy(proxy => ProxyConfiguration.Pipeline(proxy, edge));
        return app;
    }

    private static bool IsProbe(PathString path) => path == "/healthz" || path == "/readyz";

    private static void ConfigureKestrel(WebApplicationBuilder builder, EdgeOptions edge)
    {
        ReloadingCertificate? certificate = null;
        if (edge.Tls.CertificatePath is { Length: > 0 } certPath && edge.Tls.KeyPath is { Length: > 0 } keyPath)
        {
            certificate = new ReloadingCertificate(certPath, keyPath, TimeProvider.System,
                LoggerFactory.Create(_ => { }).CreateLogger<ReloadingCertificate>());
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;

            // HTTP/2's default windows (1 MiB a connection, 768 KiB a stream) cap one upload at
            // window / RTT; these let a single stream run at disk speed.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 32 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 16 * 1024 * 1024;
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1AndHttp2);
            if (certificate is not null)
            {
                kestrel.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, _) => certificate.Current);
            }
        });
    }

    private static void ConfigureForwardedHeaders(WebApplicationBuilder builder, EdgeOptions edge)
    {
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var network in edge.TrustedProxyNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
    }
}
