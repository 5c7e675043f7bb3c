using System.Diagnostics;

namespace OrleansRegistry.LoadTest;

/// <summary>
/// Per-worker latency samples (Stopwatch ticks). Not thread-safe: each worker owns one and
/// they are merged after the run, so recording costs one array store.
/// </summary>
public sealed class LatencyRecorder
{
    private long[] samples = new long[1024];

    public int Count { get; private set; }

    public long Bytes { get; private set; }

    public int Errors { get; private set; }

    public void Record(long startTimestamp, long bytes = 0)
    {
        var elapsed = Stopwatch.GetTimestamp() - startTimestamp;
        if (Count == samples.Length)
        {
            Array.Resize(ref samples, samples.Length * 2);
        }

        samples[Count++] = elapsed;
        Bytes += bytes;
    }

    public void Error() => Errors++;

    public static Summary Merge(IReadOnlyList<LatencyRecorder> recorders)
    {
        var total = recorders.Sum(r => r.Count);
        var all = new long[total];
        var offset = 0;
        long bytes = 0;
        var errors = 0;
        foreach (var r in recorders)
        {
            Array.Copy(r.samples, 0, all, offset, r.Count);
            offset += r.Count;
            bytes += r.Bytes;
            errors += r.Errors;
        }

        Array.Sort(all);
        return new Summary(total, bytes, errors, Percentile(all, 0.50), Percentile(all, 0.99), total == 0 ? 0 : ToMs(all[^1]));
    }

    private static double Percentile(long[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return 0;
        }

        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return ToMs(sorted[Math.Clamp(index, 0, sorted.Length - 1)]);
    }

    private static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public readonly record struct Summary(int Count, long Bytes, int Errors, double P50Ms, double P99Ms, double MaxMs);
}
