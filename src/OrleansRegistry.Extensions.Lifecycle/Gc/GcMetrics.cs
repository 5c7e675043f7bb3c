using System.Diagnostics.Metrics;

namespace OrleansRegistry.Extensions.Lifecycle.Gc;

/// <summary>Garbage collection's instruments, on the meter <see cref="MeterName"/> (exported at <c>/metrics</c>).</summary>
public sealed class GcMetrics
{
    public const string MeterName = "OrleansRegistry.Lifecycle";

    private readonly Counter<long> _runs;
    private readonly Counter<long> _manifests;
    private readonly Counter<long> _blobs;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;

    public GcMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _runs = meter.CreateCounter<long>("registry_gc_runs_total", description: "Garbage collection runs finished, by dry_run.");
        _manifests = meter.CreateCounter<long>("registry_gc_manifests_deleted_total", description: "Untagged manifests deleted by garbage collection.");
        _blobs = meter.CreateCounter<long>("registry_gc_blobs_deleted_total", description: "Stored blobs deleted by garbage collection, by kind (blob: unreferenced; orphan: an unregistered copy).");
        _bytes = meter.CreateCounter<long>("registry_gc_bytes_reclaimed_total", unit: "By", description: "Bytes of storage garbage collection deleted.");
        _errors = meter.CreateCounter<long>("registry_gc_errors_total", description: "Repositories and blobs a run could not collect.");
        _duration = meter.CreateHistogram<double>("registry_gc_duration_seconds", unit: "s", description: "How long a garbage collection run took.");
    }

    public void Completed(GcRun run)
    {
        var dry = new KeyValuePair<string, object?>("dry_run", run.DryRun);
        _runs.Add(1, dry);
        _duration.Record(run.DurationSeconds, dry);
        _errors.Add(run.Errors.Length);
        if (run.DryRun)
        {
            return;
        }

        _manifests.Add(run.ManifestsDeleted);
        _blobs.Add(run.BlobsDeleted, new KeyValuePair<string, object?>("kind", GcItemKinds.Blob));
        _blobs.Add(run.OrphansDeleted, new KeyValuePair<string, object?>("kind", GcItemKinds.Orphan));
        _bytes.Add(run.BytesReclaimed);
    }
}
