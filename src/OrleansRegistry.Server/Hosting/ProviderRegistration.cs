using OrleansRegistry.Contracts;
using System.Net;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansRegistry.Grains;
using OrleansRegistry.Grains.Persistence;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Storage;
using OrleansRegistry.Storage.AzureBlob;
using OrleansRegistry.Storage.FileSystem;

namespace OrleansRegistry.Server.Hosting;

/// <summary>Chooses the clustering, grain-storage and blob-storage providers from <see cref="ClusterOptions"/>.</summary>
public static class ProviderRegistration
{
    public const string RedisConnection = "Redis";
    public const string AzureBlobConnection = "AzureBlob";

    private static readonly TimeSpan MinimumUploadTiming = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AzureUncommittedBlockLifetime = TimeSpan.FromDays(7);

    /// <summary>Checks combinations that cannot work before anything starts.</summary>
    public static void Validate(RegistryOptions registry, IConfiguration configuration)
    {
        var cluster = registry.Cluster;
        if (cluster.IsMultiProcess && cluster.GrainStorage == GrainStorageProvider.Files)
        {
            throw new RegistryConfigurationException(
                "Registry:Cluster:GrainStorage=Files keeps grain state in one process's data directory; with several silos use AzureBlob.");
        }

        if (cluster.Clustering == ClusteringProvider.Redis && string.IsNullOrEmpty(configuration.GetConnectionString(RedisConnection)))
        {
            throw new RegistryConfigurationException("Registry:Cluster:Clustering=Redis needs ConnectionStrings:Redis.");
        }

        // The keep-alive of a streaming chunk ticks at a quarter of the idle timeout.
        if (registry.UploadIdleTimeout < MinimumUploadTiming || registry.UploadSweepInterval < MinimumUploadTiming)
        {
            throw new RegistryConfigurationException("Registry:UploadIdleTimeout and Registry:UploadSweepInterval must be at least 1 second.");
        }

        // Azure drops uncommitted blocks 7 days after they were staged: an idle upload must be expired before.
        if (cluster.BlobStorage == BlobStorageProvider.AzureBlob && registry.UploadIdleTimeout + registry.UploadSweepInterval >= AzureUncommittedBlockLifetime)
        {
            throw new RegistryConfigurationException(
                "With Registry:Cluster:BlobStorage=AzureBlob, Registry:UploadIdleTimeout plus Registry:UploadSweepInterval must be less than 7 days (Azure's limit on uncommitted blocks).");
        }

        var redirect = cluster.Azure.Redirect;
        if (redirect.Lifetime <= TimeSpan.Zero || redirect.Lifetime > AzureBlobStoreOptions.MaxSasLifetime)
        {
            throw new RegistryConfigurationException("Registry:Cluster:Azure:Redirect:Lifetime must be more than 0 and at most 1 day.");
        }

        if (redirect.ClockSkew < TimeSpan.Zero || redirect.ClockSkew > AzureBlobStoreOptions.MaxSasClockSkew)
        {
            throw new RegistryConfigurationException("Registry:Cluster:Azure:Redirect:ClockSkew must be between 0 and 1 hour.");
        }

        if (cluster.Azure.Retry.Problem() is { } retryProblem)
        {
            throw new RegistryConfigurationException($"Registry:Cluster:Azure:Retry: {retryProblem}.");
        }

        var usesAzure = cluster.BlobStorage == BlobStorageProvider.AzureBlob || cluster.GrainStorage == GrainStorageProvider.AzureBlob;
        if (usesAzure && string.IsNullOrEmpty(configuration.GetConnectionString(AzureBlobConnection)) && cluster.Azure.ServiceUri is null)
        {
            throw new RegistryConfigurationException("The AzureBlob providers need ConnectionStrings:AzureBlob or Registry:Cluster:Azure:ServiceUri.");
        }
    }

    /// <summary>
    /// The blob store, and the append logs (the audit trail) beside it: under the data directory, or
    /// append blobs in the Azure container, so every silo of a cluster shares them.
    /// </summary>
    public static IServiceCollection AddRegistryBlobStore(this IServiceCollection services, RegistryOptions registry, IConfiguration configuration, string dataPath)
    {
        var azure = registry.Cluster.BlobStorage == BlobStorageProvider.AzureBlob ? AzureOptions(registry.Cluster, configuration) : null;
        services.AddSingleton<IAppendLogStore>(_ => azure is null
            ? new FileSystemAppendLogStore(Path.Combine(dataPath, "logs"))
            : AzureAppendLogStore.Create(azure));
        return services.AddSingleton<IBlobStore>(sp =>
        {
            var metrics = sp.GetRequiredService<RegistryMetrics>();
            return azure is null
                ? InstrumentedBlobStore.Wrap(
                    new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(dataPath, "storage") }), "filesystem", metrics)
                : InstrumentedBlobStore.Wrap(AzureBlobStore.Create(azure), "azureblob", metrics);
        });
    }

    private static AzureBlobStoreOptions AzureOptions(ClusterOptions cluster, IConfiguration configuration)
    {
        var connection = configuration.GetConnectionString(AzureBlobConnection);
        return new AzureBlobStoreOptions
        {
            ConnectionString = string.IsNullOrEmpty(connection) ? null : connection,
            ServiceUri = string.IsNullOrEmpty(connection) ? cluster.Azure.ServiceUri : null,
            ContainerName = cluster.Azure.BlobContainer,
            SasClockSkew = cluster.Azure.Redirect.ClockSkew,
            Retry = cluster.Azure.Retry,
        };
    }

    public static ISiloBuilder UseRegistryProviders(this ISiloBuilder silo, RegistryOptions registry, IConfiguration configuration, string dataPath)
    {
        var cluster = registry.Cluster;
        var endpoints = registry.Silo;
        if (cluster.Clustering == ClusteringProvider.Redis)
        {
            silo.UseRedisClustering(configuration.GetConnectionString(RedisConnection)!);
            silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = endpoints.ClusterId;
                o.ServiceId = endpoints.ServiceId;
            });
            // A silo advertised on loopback (a cluster on one machine) listens there only; any other
            // address (a pod IP) is listened on with every other interface, as Kubernetes expects.
            var advertised = AdvertisedAddress(endpoints);
            silo.ConfigureEndpoints(advertised, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            silo.Configure<ClusterMembershipOptions>(membership =>
            {
                // Faster than the defaults, measured in the cluster tests: probes time out after 2 s and
                // two missed probes suspect a silo (two votes declare it dead). A silo whose heartbeat in
                // the table is 15 s old stops counting as a voter, so a lone survivor of a crash (or the
                // first silo after a full restart) can declare the rest dead by itself; the table is
                // re-read every 5 s so every silo (and the edge) learns of changes quickly.
                membership.ProbeTimeout = TimeSpan.FromSeconds(2);
                membership.NumMissedProbesLimit = 2;
                membership.NumVotesForDeathDeclaration = 2;
                membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                membership.NumMissedTableIAmAliveLimit = 3;
                membership.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            });
        }
        else
        {
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, serviceId: endpoints.ServiceId, clusterId: endpoints.ClusterId);
        }

        if (cluster.GrainStorage == GrainStorageProvider.AzureBlob)
        {
            silo.AddAzureBlobGrainStorage(GrainStorageNames.Registry, optionsBuilder => optionsBuilder.Configure<Serializer>((options, serializer) =>
            {
                options.BlobServiceClient = cluster.Azure.Retry.CreateServiceClient(configuration.GetConnectionString(AzureBlobConnection), cluster.Azure.ServiceUri);
                options.ContainerName = cluster.Azure.GrainContainer;

                // Orleans' binary serializer, as in the file storage, not the Newtonsoft default that
                // writes CLR type names: state types carry [Alias]es, so a renamed type still reads
                // what an earlier build wrote.
                options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        }
        else
        {
            silo.AddFileGrainStorage(GrainStorageNames.Registry, options => options.RootPath = Path.Combine(dataPath, "grains"));
        }

        return silo;
    }

    private static IPAddress AdvertisedAddress(SiloEndpointOptions endpoints)
    {
        if (endpoints.AdvertisedAddress is { Length: > 0 } configured)
        {
            return IPAddress.Parse(configured);
        }

        return Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? IPAddress.Loopback;
    }
}
