using Orleans.Concurrency;

namespace OrleansRegistry.Contracts.Events;

/// <summary>
/// Delivers one partition of the log to one consumer (key: <c>&lt;consumer&gt;/&lt;partition&gt;</c>),
/// from its persisted checkpoint. Every silo pokes the deliveries it knows of now and then, so one
/// whose silo died goes on elsewhere.
/// </summary>
[Alias("event-delivery")]
public interface IEventDeliveryGrain : IGrainWithStringKey
{
    /// <summary>Starts delivering if it is not already.</summary>
    [OneWay, AlwaysInterleave, Alias("poke")]
    Task Poke();

    [AlwaysInterleave, Alias("status")]
    Task<DeliveryStatus> GetStatus();
}

public static class EventDeliveryKey
{
    public static string Of(string consumer, int partition) => $"{consumer}/{partition}";

    public static (string Consumer, int Partition) Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        return (key[..slash], int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}

[GenerateSerializer, Immutable, Alias("delivery-status")]
public sealed record DeliveryStatus
{
    [Id(0)] public long Checkpoint { get; init; }
    [Id(1)] public long Delivered { get; init; }
    [Id(2)] public long Last { get; init; }

    /// <summary>Time of the oldest event not yet delivered, if any.</summary>
    [Id(3)] public DateTimeOffset? OldestPending { get; init; }
    [Id(4)] public string? LastError { get; init; }
}
