namespace OrleansRegistry.Contracts.Events;

/// <summary>
/// Who and which request a write comes from. The silo puts it in Orleans' request context before a
/// write reaches a grain (it flows with the call), and the grain copies it into the write's events.
/// </summary>
[GenerateSerializer, Immutable, Alias("event-origin")]
public sealed record EventOrigin
{
    public const string ContextKey = "registry.origin";

    [Id(0)] public EventActor Actor { get; init; } = EventActor.Anonymous;

    [Id(1)] public EventRequest? Request { get; init; }

    [Id(2)] public string? Source { get; init; }

    /// <summary>Why, when the registry itself writes (retention): every event of the write carries it, unless the write gives its own.</summary>
    [Id(3)] public string? Reason { get; init; }

    /// <summary>The origin of the current grain call, if the caller gave one.</summary>
    public static EventOrigin? Current => RequestContext.Get(ContextKey) as EventOrigin;
}
