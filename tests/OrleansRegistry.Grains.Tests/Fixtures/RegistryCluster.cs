using OrleansRegistry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Grains.Events;
using OrleansRegistry.Grains.Persistence;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Grains.Tests.Persistence;
using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;
using OrleansRegistry.Storage;
using OrleansRegistry.Storage.FileSystem;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Fixtures;

/// <summary>
/// An in-process test cluster whose "registry" grain storage is our <see cref="FileGrainStorage"/>
/// under a temporary directory, optionally wrapped in a <see cref="RecordingGrainStorage"/>, whose
/// <see cref="IBlobStore"/> (upload journals) is the filesystem store under the same directory, and
/// whose <see cref="TimeProvider"/> is a controllable <see cref="OffsetTimeProvider"/>.
/// Can be restarted on the same directory.
/// </summary>
public sealed class RegistryCluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly bool _recordWrites;
    private readonly short _silos;
    private InProcessTestCluster? _cluster;
    private IBlobStore? _blobStore;

    public RegistryCluster(bool recordWrites = false, short silos = 1)
    {
        _recordWrites = recordWrites;
        _silos = silos;
    }

    public string RootPath => _root.Path;

    /// <summary>The clock the silos resolve as <see cref="TimeProvider"/>; survives restarts.</summary>
    public OffsetTimeProvider Clock { get; } = new();

    /// <summary>The blob store the silos use (under <see cref="RootPath"/>/blobs); survives restarts.</summary>
    public IBlobStore BlobStore => _blobStore ??= new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = Path.Combine(_root.Path, "blobs") });

    /// <summary>Starts an upload as the server does: the session, then its (empty) staging, which holds its journal.</summary>
    public async Task<UploadSnapshot> StartUploadAsync(IUploadSessionGrain upload, string repository)
    {
        var started = await upload.Start(repository);
        await using var marker = await BlobStore.BeginStagingAsync(upload.GetPrimaryKeyString(), 0, CancellationToken.None);
        await marker.CompleteAsync(CancellationToken.None);
        return started;
    }

    /// <summary>A consumer of the event log every silo knows (<see cref="RecordingSubscriber.Name"/>); survives restarts.</summary>
    public RecordingSubscriber Subscriber { get; } = new();

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public IClusterClient Client => Cluster.Client;

    /// <summary>The recording decorator (only with <c>recordWrites</c>).</summary>
    public RecordingGrainStorage Recorder =>
        (RecordingGrainStorage)Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Registry);

    public async Task StartAsync()
    {
        var builder = new InProcessTestClusterBuilder(_silos);
        var root = _root.Path;
        var clock = Clock;
        var record = _recordWrites;
        var blobStore = BlobStore;
        var subscriber = Subscriber;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<TimeProvider>(clock);
            silo.Services.AddSingleton(blobStore);
            var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();
            silo.Services.AddRegistryEventLog(configuration);
            silo.Services.AddRegistryTags(configuration);
            silo.Services.AddSingleton<IEventSubscriber>(subscriber);
            if (record)
            {
                silo.Services.AddGrainStorage(
                    GrainStorageNames.Registry,
                    (services, name) => new RecordingGrainStorage(new FileGrainStorage(
                        name,
                        new FileGrainStorageOptions { RootPath = root },
                        new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
                        services.GetRequiredService<IActivatorProvider>())));
            }
            else
            {
                silo.AddFileGrainStorage(GrainStorageNames.Registry, options => options.RootPath = root);
            }
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    /// <summary>Stops every silo and starts a new cluster on the same directory.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public Task DeactivateAsync(IAddressable grain) => Cluster.DeactivateAsync(grain);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _root.Dispose();
    }

    private async Task StopAsync()
    {
        if (_cluster is null)
        {
            return;
        }

        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        _cluster = null;
    }
}

/// <summary>A class fixture: one <see cref="RegistryCluster"/> per test class.</summary>
public class RegistryClusterFixture : IAsyncLifetime
{
    public RegistryClusterFixture()
        : this(recordWrites: false)
    {
    }

    protected RegistryClusterFixture(bool recordWrites) => Registry = new RegistryCluster(recordWrites);

    public RegistryCluster Registry { get; }

    public Task InitializeAsync() => Registry.StartAsync();

    public async Task DisposeAsync() => await Registry.DisposeAsync();
}

/// <summary>A class fixture whose registry storage records (and can fail) writes.</summary>
public sealed class RecordingRegistryClusterFixture : RegistryClusterFixture
{
    public RecordingRegistryClusterFixture()
        : base(recordWrites: true)
    {
    }
}

/// <summary>System time plus an offset the test moves forward (timers and timestamps stay real).</summary>
public sealed class OffsetTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
