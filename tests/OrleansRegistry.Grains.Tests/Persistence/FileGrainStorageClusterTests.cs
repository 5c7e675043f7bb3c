using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansRegistry.Grains.Persistence;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Persistence;

public interface IFileStateTestGrain : IGrainWithStringKey
{
    Task AddAsync(string item);

    Task<CounterState> GetAsync();

    Task ClearAsync();

    /// <summary>Writes a bucket through the keyed <see cref="IGrainStorage"/>, as bucketed grains do.</summary>
    Task WriteBucketAsync(string bucket, int value);

    Task<int?> ReadBucketAsync(string bucket);
}

public sealed class FileStateTestGrain(
    [PersistentState("state", FileGrainStorageClusterTests.StorageName)] IPersistentState<CounterState> state)
    : Grain, IFileStateTestGrain
{
    private IGrainStorage Storage => ServiceProvider.GetRequiredKeyedService<IGrainStorage>(FileGrainStorageClusterTests.StorageName);

    public async Task AddAsync(string item)
    {
        state.State.Value++;
        state.State.Items.Add(item);
        await state.WriteStateAsync();
    }

    public Task<CounterState> GetAsync() => Task.FromResult(state.State);

    public Task ClearAsync() => state.ClearStateAsync();

    public async Task WriteBucketAsync(string bucket, int value)
    {
        var bucketState = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(bucket, this.GetGrainId(), bucketState);
        bucketState.State!.Value = value;
        await Storage.WriteStateAsync(bucket, this.GetGrainId(), bucketState);
    }

    public async Task<int?> ReadBucketAsync(string bucket)
    {
        var bucketState = new GrainState<CounterState>(new CounterState());
        await Storage.ReadStateAsync(bucket, this.GetGrainId(), bucketState);
        return bucketState.RecordExists ? bucketState.State!.Value : null;
    }
}

public sealed class FileGrainStorageClusterTests : IAsyncLifetime
{
    public const string StorageName = "files";

    private readonly TempDirectory _root = new();
    private InProcessTestCluster? _cluster;

    private InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("not deployed");

    public async Task InitializeAsync() => _cluster = await StartClusterAsync(_root.Path);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _root.Dispose();
    }

    [Fact]
    public async Task Persistent_state_survives_deactivation()
    {
        var grain = Cluster.Client.GetGrain<IFileStateTestGrain>("library/ubuntu@sha256:abc");
        await grain.AddAsync("a");
        await grain.AddAsync("b");

        await Cluster.DeactivateAsync(grain);

        var state = await grain.GetAsync();
        Assert.Equal(2, state.Value);
        Assert.Equal(["a", "b"], state.Items);
        Assert.Single(Directory.GetFiles(_root.Path, "*.state", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Persistent_state_survives_a_cluster_restart_on_the_same_root()
    {
        var grain = Cluster.Client.GetGrain<IFileStateTestGrain>("team/app");
        await grain.AddAsync("before restart");
        await grain.WriteBucketAsync("bucket-7", 77);

        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        _cluster = await StartClusterAsync(_root.Path);

        grain = Cluster.Client.GetGrain<IFileStateTestGrain>("team/app");
        var state = await grain.GetAsync();
        Assert.Equal(1, state.Value);
        Assert.Equal(["before restart"], state.Items);
        Assert.Equal(77, await grain.ReadBucketAsync("bucket-7"));
        Assert.Null(await grain.ReadBucketAsync("bucket-8"));
    }

    [Fact]
    public async Task Cleared_state_is_gone_after_reactivation()
    {
        var grain = Cluster.Client.GetGrain<IFileStateTestGrain>("to-clear");
        await grain.AddAsync("x");
        await grain.ClearAsync();

        await Cluster.DeactivateAsync(grain);

        Assert.Equal(0, (await grain.GetAsync()).Value);
        Assert.Empty(Directory.GetFiles(_root.Path, "*.state", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Many_state_names_through_the_keyed_service()
    {
        var grain = Cluster.Client.GetGrain<IFileStateTestGrain>("buckets");
        for (var i = 0; i < 10; i++)
        {
            await grain.WriteBucketAsync($"bucket-{i}", i * 10);
        }

        await grain.WriteBucketAsync("bucket-3", 333);
        await Cluster.DeactivateAsync(grain);

        Assert.Equal(0, await grain.ReadBucketAsync("bucket-0"));
        Assert.Equal(333, await grain.ReadBucketAsync("bucket-3"));
        Assert.Equal(90, await grain.ReadBucketAsync("bucket-9"));
    }

    [Fact]
    public void The_provider_is_the_keyed_grain_storage_singleton()
    {
        var services = Cluster.GetSiloServiceProvider();

        var storage = Assert.IsType<FileGrainStorage>(services.GetRequiredKeyedService<IGrainStorage>(StorageName));
        Assert.Same(storage, services.GetRequiredKeyedService<IGrainStorage>(StorageName));
        Assert.Equal(StorageName, storage.Name);
        Assert.Equal(Path.GetFullPath(_root.Path), storage.RootPath);
    }

    private static async Task<InProcessTestCluster> StartClusterAsync(string rootPath)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddFileGrainStorage(StorageName, options => options.RootPath = rootPath));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
