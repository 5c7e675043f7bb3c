using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansRegistry.Grains.Persistence;

namespace OrleansRegistry.Grains.Tests.Persistence;

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
    [Id(1)] public List<string> Items { get; set; } = [];
}

/// <summary>A fresh directory under the temp directory, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orleansregistry-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Orleans serializer services, without a silo, for testing the storage directly.</summary>
public static class StorageServices
{
    private static readonly Lazy<ServiceProvider> Services = new(() =>
        new ServiceCollection()
            .AddSerializer(builder => builder.AddAssembly(typeof(CounterState).Assembly))
            .BuildServiceProvider());

    public static FileGrainStorage CreateStorage(string rootPath, string name = "files") =>
        new(
            name,
            new FileGrainStorageOptions { RootPath = rootPath },
            new OrleansGrainStorageSerializer(Services.Value.GetRequiredService<Serializer>()),
            Services.Value.GetRequiredService<IActivatorProvider>());
}
