using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>The <c>Registry:Tags</c> configuration section. Every key is listed in docs/configuration.md.</summary>
public sealed class TagOptions
{
    public const string Section = "Registry:Tags";
    public const int MaxHistoryDepth = 1000;

    /// <summary>
    /// How many moves of each tag its history keeps, the current digest being the newest (1 to 1000).
    /// Default 10. The manifests these name are kept from garbage collection, so a rollback to any of
    /// them finds its manifest; older moves leave the history at the tag's next move.
    /// </summary>
    public int HistoryDepth { get; set; } = 10;
}

public static class TagServices
{
    /// <summary>The repository grains' <see cref="TagOptions"/>, validated when the host starts.</summary>
    public static IServiceCollection AddRegistryTags(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TagOptions>()
            .Bind(configuration.GetSection(TagOptions.Section))
            .Validate(o => o.HistoryDepth is >= 1 and <= TagOptions.MaxHistoryDepth, $"{TagOptions.Section}:HistoryDepth must be 1 to {TagOptions.MaxHistoryDepth}")
            .ValidateOnStart();
        return services;
    }
}
