namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>What one run did, repository by repository, with at most <see cref="RetentionPass.MaxItems"/> items listed (all counted).</summary>
internal sealed class RetentionTally(RetentionRun started)
{
    private readonly List<RetentionRemovals> _removals = [];
    private readonly List<string> _errors = [];
    private int _repositories, _kept, _tags, _manifests, _skipped, _listed;

    public void Error(string error) => _errors.Add(error);

    public void Repository(int kept, RetentionRemovals removals)
    {
        _repositories++;
        _kept += kept;
        var items = removals.Tags.Concat(removals.Manifests).ToArray();
        _tags += removals.Tags.Count(Removes);
        _manifests += removals.Manifests.Count(Removes);
        _skipped += items.Count(i => !Removes(i) && i.Outcome != RetentionOutcomes.Gone);
        if (items.Length > 0 && _listed < RetentionPass.MaxItems)
        {
            _removals.Add(Trimmed(removals, RetentionPass.MaxItems - _listed));
            _listed += Math.Min(items.Length, RetentionPass.MaxItems - _listed);
        }
    }

    public RetentionRun ToRun(DateTimeOffset finished) => started with
    {
        FinishedAt = finished,
        Repositories = _repositories,
        TagsKept = _kept,
        TagsDeleted = _tags,
        ManifestsDeleted = _manifests,
        Skipped = _skipped,
        Errors = [.. _errors.Take(100)],
        Removals = [.. _removals],
    };

    /// <summary>The run with at most <paramref name="items"/> items listed, the first repositories' first.</summary>
    public static RetentionRun Trimmed(RetentionRun run, int items)
    {
        var removals = new List<RetentionRemovals>();
        foreach (var repository in run.Removals)
        {
            if (items <= 0)
            {
                break;
            }

            var trimmed = Trimmed(repository, items);
            removals.Add(trimmed);
            items -= trimmed.Tags.Length + trimmed.Manifests.Length;
        }

        return run with { Removals = [.. removals] };
    }

    private static RetentionRemovals Trimmed(RetentionRemovals removals, int items) => removals with
    {
        Tags = [.. removals.Tags.Take(items)],
        Manifests = [.. removals.Manifests.Take(Math.Max(0, items - removals.Tags.Length))],
    };

    private static bool Removes(RetentionItem item) => item.Outcome is RetentionOutcomes.Deleted or RetentionOutcomes.WouldDelete;
}
