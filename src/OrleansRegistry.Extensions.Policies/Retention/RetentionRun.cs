namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>One run of a retention rule, as <c>POST .../retention/run</c> answers it and <c>GET .../retention</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("retention-run")]
public sealed record RetentionRun
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required DateTimeOffset StartedAt { get; init; }
    [Id(2)] public DateTimeOffset FinishedAt { get; init; }
    [Id(3)] public bool DryRun { get; init; }

    /// <summary><c>schedule</c> or <c>admin</c>.</summary>
    [Id(4)] public required string Trigger { get; init; }

    /// <summary>Repositories the rule governs (those under a more specific rule are that rule's).</summary>
    [Id(5)] public int Repositories { get; init; }

    [Id(6)] public int TagsKept { get; init; }

    /// <summary>Tags deleted (in a dry run: that would be).</summary>
    [Id(7)] public int TagsDeleted { get; init; }

    /// <summary>Manifests deleted (in a dry run: that would be).</summary>
    [Id(8)] public int ManifestsDeleted { get; init; }

    /// <summary>Deletes a write policy refused, or skipped because the manifest was tagged again since the plan.</summary>
    [Id(9)] public int Skipped { get; init; }

    [Id(10)] public string[] Errors { get; init; } = [];

    /// <summary>What went (or would go) per repository, at most <see cref="RetentionPass.MaxItems"/> items in all.</summary>
    [Id(11)] public RetentionRemovals[] Removals { get; init; } = [];
}

/// <summary>The tags and manifests a run removed from one repository, or would have.</summary>
[GenerateSerializer, Immutable, Alias("retention-removals")]
public sealed record RetentionRemovals
{
    [Id(0)] public required string Repository { get; init; }
    [Id(1)] public RetentionItem[] Tags { get; init; } = [];
    [Id(2)] public RetentionItem[] Manifests { get; init; } = [];
}

/// <summary>One tag (with the digest it named) or one manifest; why it goes, and what became of it.</summary>
[GenerateSerializer, Immutable, Alias("retention-item")]
public sealed record RetentionItem
{
    [Id(0)] public string? Tag { get; init; }
    [Id(1)] public required string Digest { get; init; }
    [Id(2)] public required string Reason { get; init; }

    /// <summary>One of <see cref="RetentionOutcomes"/>.</summary>
    [Id(3)] public required string Outcome { get; init; }

    /// <summary>For <see cref="RetentionOutcomes.Refused"/>: the policy's message.</summary>
    [Id(4)] public string? Detail { get; init; }
}

public static class RetentionOutcomes
{
    /// <summary>A dry run: it would be deleted.</summary>
    public const string WouldDelete = "would-delete";
    public const string Deleted = "deleted";

    /// <summary>A write policy refused the delete (a tag made immutable since the plan, on another silo).</summary>
    public const string Refused = "refused";

    /// <summary>Gone already (deleted by someone else since the plan).</summary>
    public const string Gone = "gone";

    /// <summary>A manifest tagged again since the plan: it stays.</summary>
    public const string Tagged = "tagged";
}
