namespace OrleansRegistry.Grains.State;

/// <summary>One persisted bucket of a <see cref="BucketedMap{TValue}"/>.</summary>
[GenerateSerializer]
public sealed class BucketState<TValue>
{
    [Id(0)]
    public Dictionary<string, TValue> Entries { get; set; } = new(StringComparer.Ordinal);
}
