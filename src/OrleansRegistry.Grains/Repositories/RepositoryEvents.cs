using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>What a write will say it did, before it is stamped with an id, a time and its origin.</summary>
internal sealed record EventDraft(string Action, string? Digest = null, string? MediaType = null, long Size = 0, string? Tag = null, string? Reason = null);

/// <summary>Turns a write's drafts into events, with the origin the caller put in the request context.</summary>
internal static class RepositoryEvents
{
    public static RegistryEvent[] Stamp(string repository, IEnumerable<EventDraft> drafts, DateTimeOffset now)
    {
        var origin = EventOrigin.Current;
        return [.. drafts.Select(draft => new RegistryEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            Time = now,
            Action = draft.Action,
            Repository = repository,
            Digest = draft.Digest,
            MediaType = draft.MediaType,
            Size = draft.Size,
            Tag = draft.Tag,
            Reason = draft.Reason ?? origin?.Reason,
            Actor = origin?.Actor ?? EventActor.Anonymous,
            Request = origin?.Request,
            Source = origin?.Source,
        })];
    }
}
