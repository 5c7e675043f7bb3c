namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>One garbage collection run, as <c>GET /api/v1/gc</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("gc-run")]
public sealed record GcRun
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required DateTimeOffset StartedAt { get; init; }
    [Id(2)] public DateTimeOffset FinishedAt { get; init; }
    [Id(3)] public bool DryRun { get; init; }

    /// <summary><c>schedule</c> or <c>admin</c>.</summary>
    [Id(4)] public required string Trigger { get; init; }

    [Id(5)] public int Repositories { get; init; }
    [Id(6)] public int ManifestsDeleted { get; init; }

    /// <summary>Blob links removed from repositories (nothing there referenced them).</summary>
    [Id(7)] public int BlobsUnlinked { get; init; }

    /// <summary>Stored blobs (layers, configs, manifests' bytes) deleted because no repository held them.</summary>
    [Id(8)] public int BlobsDeleted { get; init; }

    /// <summary>Stored copies deleted that were not the registered one (redundant, or left by a crash).</summary>
    [Id(9)] public int OrphansDeleted { get; init; }

    [Id(10)] public long BytesReclaimed { get; init; }
    /// <summary>Stored copies (a full sweep) or candidates looked at.</summary>
    [Id(11)] public int StoredBlobsSeen { get; init; }
    [Id(12)] public string[] Errors { get; init; } = [];

    /// <summary>What was deleted (or, in a dry run, would be), at most <see cref="GcPass.MaxItems"/>.</summary>
    [Id(13)] public GcItem[] Items { get; init; } = [];

    /// <summary>Whether the run went through the whole storage listing (once per grace period), not only the candidates.</summary>
    [Id(14)] public bool FullSweep { get; init; }

    public double DurationSeconds => (FinishedAt - StartedAt).TotalSeconds;
}

/// <summary>One deletion of a run.</summary>
[GenerateSerializer, Immutable, Alias("gc-item")]
public sealed record GcItem
{
    /// <summary><c>manifest</c>, <c>blob-link</c> (left a repository), <c>blob</c> (bytes deleted) or <c>orphan</c>.</summary>
    [Id(0)] public required string Kind { get; init; }
    [Id(1)] public string? Repository { get; init; }
    [Id(2)] public required string Digest { get; init; }
    [Id(3)] public long Size { get; init; }
    [Id(4)] public required string Reason { get; init; }
}
