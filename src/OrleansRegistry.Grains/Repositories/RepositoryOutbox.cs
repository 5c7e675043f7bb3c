using OrleansRegistry.Contracts.Events;

namespace OrleansRegistry.Grains.Repositories;

/// <summary>
/// The in-memory outbox of one repository activation: entries staged for a write, confirmed once it
/// is stored, then handed to the event log partition of the repository (by an interleaved timer, off
/// the write's path) and dropped. What is on disk is whatever the last meta record held; entries
/// handed over but still on disk are handed over again after a restart (the log skips recent ids,
/// receivers deduplicate on the id).
/// </summary>
internal sealed class RepositoryOutbox(string repository, TimeProvider clock)
{
    private readonly List<OutboxEntry> _entries = [];

    public int Count => _entries.Count;

    /// <summary>Whether entries were handed over since the meta record was last written.</summary>
    public bool Trimmed { get; private set; }

    public IReadOnlyList<OutboxEntry> Snapshot() => [.. _entries];

    public void Load(IEnumerable<OutboxEntry> entries)
    {
        _entries.Clear();
        _entries.AddRange(entries);
    }

    /// <summary>New unconfirmed entries for one write, numbered after <paramref name="sequence"/>.</summary>
    public List<OutboxEntry> Stage(IEnumerable<EventDraft> drafts, ref long sequence)
    {
        var origin = EventOrigin.Current;
        var now = clock.GetUtcNow();
        var staged = new List<OutboxEntry>();
        foreach (var draft in drafts)
        {
            staged.Add(new OutboxEntry
            {
                ManifestDelta = draft.ManifestDelta,
                Event = new RegistryEvent
                {
                    Id = Guid.NewGuid().ToString("N"),
                    Time = now,
                    Action = draft.Action,
                    Repository = repository,
                    Digest = draft.Digest,
                    MediaType = draft.MediaType,
                    Size = draft.Size,
                    Tag = draft.Tag,
                    Actor = origin?.Actor ?? EventActor.Anonymous,
                    Request = origin?.Request,
                    Source = origin?.Source,
                    Sequence = ++sequence,
                },
            });
        }

        _entries.AddRange(staged);
        return staged;
    }

    public void Confirm(IReadOnlyCollection<OutboxEntry> staged) => Replace(staged, e => e with { Confirmed = true });

    public void Drop(IReadOnlyCollection<OutboxEntry> staged) => _entries.RemoveAll(staged.Contains);

    /// <summary>The confirmed entries, oldest first: what may be handed to the log.</summary>
    public List<OutboxEntry> Ready() => [.. _entries.Where(e => e.Confirmed)];

    public void HandedOver(IReadOnlyCollection<OutboxEntry> entries)
    {
        _entries.RemoveAll(e => entries.Any(h => h.Event.Id == e.Event.Id));
        Trimmed = true;
    }

    /// <summary>Called once the meta record holding <see cref="Snapshot"/> is stored.</summary>
    public void Persisted() => Trimmed = false;

    private void Replace(IReadOnlyCollection<OutboxEntry> staged, Func<OutboxEntry, OutboxEntry> change)
    {
        var ids = staged.Select(e => e.Event.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < _entries.Count; i++)
        {
            if (ids.Contains(_entries[i].Event.Id))
            {
                _entries[i] = change(_entries[i]);
            }
        }
    }
}

/// <summary>What a write will say it did, before it is numbered and stamped.</summary>
internal sealed record EventDraft(string Action, string? Digest = null, string? MediaType = null, long Size = 0, string? Tag = null, int ManifestDelta = 0);
