namespace OrleansRegistry.Contracts.Events;

/// <summary>
/// The event log is split into partitions (one <see cref="IEventLogGrain"/> each); a repository's
/// events all go to one, so they keep their order. The count is fixed for the life of a cluster's data.
/// </summary>
public static class EventPartitions
{
    public const int Count = 16;

    public static int Of(string repository)
    {
        // FNV-1a: stable across processes (string.GetHashCode is randomized per process).
        var hash = 2166136261u;
        foreach (var c in repository)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Count);
    }
}
