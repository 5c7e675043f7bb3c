namespace OrleansRegistry.Grains.Repositories;

/// <summary>Repository metadata kept in one small record.</summary>
[GenerateSerializer]
public sealed class RepositoryMeta
{
    [Id(0)] public DateTimeOffset CreatedAt { get; set; }
    [Id(1)] public bool InCatalog { get; set; }

    /// <summary>Whether the repository's <c>repository.create</c> event is in the event log.</summary>
    [Id(2)] public bool CreationLogged { get; set; }
}
