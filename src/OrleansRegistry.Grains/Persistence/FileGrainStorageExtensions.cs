using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace OrleansRegistry.Grains.Persistence;

/// <summary>Registration of <see cref="FileGrainStorage"/>.</summary>
/// <remarks>
/// Orleans.Runtime 10 ships its own <c>Orleans.Persistence.FileStorage.FileSiloBuilderExtensions.AddFileGrainStorage</c>
/// (options with <c>RootDirectory</c>); this one is unrelated. Both compile side by side because
/// the option types differ; do not import both namespaces in one file to avoid confusion.
/// </remarks>
public static class FileGrainStorageExtensions
{
    /// <summary>
    /// Adds a <see cref="FileGrainStorage"/> named <paramref name="name"/>: grains get it with
    /// <c>[PersistentState("state", name)]</c>, code can resolve it with
    /// <c>GetRequiredKeyedService&lt;IGrainStorage&gt;(name)</c>.
    /// </summary>
    public static ISiloBuilder AddFileGrainStorage(this ISiloBuilder builder, string name, Action<FileGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddFileGrainStorage(name, configure);
        return builder;
    }

    /// <inheritdoc cref="AddFileGrainStorage(ISiloBuilder, string, Action{FileGrainStorageOptions})"/>
    public static IServiceCollection AddFileGrainStorage(this IServiceCollection services, string name, Action<FileGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<FileGrainStorageOptions>(name).Configure(configure);

        // AddGrainStorage registers the keyed IGrainStorage singleton (which is what
        // [PersistentState] resolves) and, since the provider implements
        // ILifecycleParticipant<ISiloLifecycle>, subscribes it to the silo lifecycle.
        services.AddGrainStorage(name, static (sp, providerName) => Create(sp, providerName));
        return services;
    }

    private static FileGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<FileGrainStorageOptions>>().Get(name);
        var serializer = options.GrainStorageSerializer
            ?? new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
        return new FileGrainStorage(
            name,
            options,
            serializer,
            services.GetRequiredService<IActivatorProvider>(),
            services.GetService<ILogger<FileGrainStorage>>());
    }
}
