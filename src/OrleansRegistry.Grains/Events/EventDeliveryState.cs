namespace OrleansRegistry.Grains.Events;

/// <summary>Where one consumer is in one partition of the log.</summary>
[GenerateSerializer, Alias("event-delivery-state")]
public sealed class EventDeliveryState
{
    /// <summary>The last position delivered (or skipped past).</summary>
    [Id(0)] public long Checkpoint { get; set; }

    [Id(1)] public long Delivered { get; set; }
}
