namespace OrleansRegistry.Contracts.Events;

/// <summary>
/// One thing that happened in the registry: a write (in the log before the write is acknowledged) or a
/// batch of pulls. Receivers deduplicate on <see cref="Id"/>; within a repository,
/// <see cref="Sequence"/> orders them.
/// </summary>
[GenerateSerializer, Immutable, Alias("registry-event")]
public sealed record RegistryEvent
{
    /// <summary>Stable across redeliveries: 32 hex digits.</summary>
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required DateTimeOffset Time { get; init; }

    /// <summary>One of <see cref="EventActions"/>.</summary>
    [Id(2)] public required string Action { get; init; }

    [Id(3)] public required string Repository { get; init; }

    [Id(4)] public string? Digest { get; init; }

    [Id(5)] public string? MediaType { get; init; }

    [Id(6)] public long Size { get; init; }

    [Id(7)] public string? Tag { get; init; }

    [Id(8)] public EventActor Actor { get; init; } = EventActor.Anonymous;

    [Id(9)] public EventRequest? Request { get; init; }

    /// <summary>The silo that took the request.</summary>
    [Id(10)] public string? Source { get; init; }

    /// <summary>The event's position in its log partition: increasing within a repository (a repository's events all go to one partition).</summary>
    [Id(11)] public long Sequence { get; init; }

    /// <summary>How many requests a pull event stands for (pulls are counted and batched); 1 for writes.</summary>
    [Id(12)] public int Count { get; init; } = 1;

    /// <summary>Why, when the registry itself did it (garbage collection, retention).</summary>
    [Id(13)] public string? Reason { get; init; }
}

/// <summary>Who did it: a user, a robot, or nobody known.</summary>
[GenerateSerializer, Immutable, Alias("event-actor")]
public sealed record EventActor
{
    public static readonly EventActor Anonymous = new() { Kind = ActorKinds.Anonymous };

    /// <summary>The user or robot name; null for anonymous.</summary>
    [Id(0)] public string? Name { get; init; }

    /// <summary><c>user</c>, <c>robot</c> or <c>anonymous</c>.</summary>
    [Id(1)] public required string Kind { get; init; }
}

/// <summary>The HTTP request behind an event.</summary>
[GenerateSerializer, Immutable, Alias("event-request")]
public sealed record EventRequest
{
    [Id(0)] public string? Id { get; init; }
    [Id(1)] public string? Address { get; init; }
    [Id(2)] public string? UserAgent { get; init; }
    [Id(3)] public string? Method { get; init; }
    [Id(4)] public string? Host { get; init; }
}

public static class ActorKinds
{
    public const string User = "user";
    public const string Robot = "robot";
    public const string Anonymous = "anonymous";

    /// <summary>The registry itself (garbage collection, retention).</summary>
    public const string System = "system";
}

/// <summary>What an event says happened.</summary>
public static class EventActions
{
    /// <summary>A manifest was pushed (by digest, or by tag: then <see cref="RegistryEvent.Tag"/> names it, moved or new).</summary>
    public const string Push = "push";

    /// <summary>A manifest was deleted (its tags went with it, each a <see cref="TagDelete"/> event).</summary>
    public const string Delete = "delete";

    /// <summary>A tag was deleted; the manifest stays.</summary>
    public const string TagDelete = "tag.delete";

    /// <summary>A blob upload was completed into the repository.</summary>
    public const string Upload = "upload";

    /// <summary>A blob was mounted into the repository from another one.</summary>
    public const string Mount = "mount";

    /// <summary>Manifests were pulled (<see cref="RegistryEvent.Count"/> times in the batch).</summary>
    public const string Pull = "pull";

    /// <summary>A blob left the repository (a blob DELETE, or garbage collection: it was unreferenced).</summary>
    public const string BlobDelete = "blob.delete";

    /// <summary>Garbage collection deleted a blob's bytes from storage (the event is the repository's that held it last).</summary>
    public const string BlobCollect = "blob.collect";

    /// <summary>The repository's first content was stored.</summary>
    public const string RepositoryCreate = "repository.create";

    /// <summary>The repository's last manifest was deleted.</summary>
    public const string RepositoryEmpty = "repository.empty";
}
