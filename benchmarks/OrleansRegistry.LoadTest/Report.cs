using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrleansRegistry.LoadTest;

/// <summary>Turns the JSON lines of a comparison run into the markdown table: medians over rounds, ratio, target.</summary>
public static class Report
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private sealed record Target(string Text, Func<double, double?, double?, bool?> Met);

    // ratio = candidate / baseline on the scenario's own unit; disk = dd's write+fsync MiB/s; p99 = candidate's.
    // Against distribution (the default goals):
    private static readonly Dictionary<string, Target> PeerGoals = new()
    {
        ["manifest-tag"] = new("≥ 10×, p99 ≤ 20 ms", (r, _, p99) => r >= 10 && p99 <= 20),
        ["manifest-digest"] = new("≥ 10×", (r, _, _) => r >= 10),
        ["blob-head"] = new("≥ 10×", (r, _, _) => r >= 10),
        ["blob-get"] = new("≥ 1.0×", (r, _, _) => r >= 1.0),
        ["blob-range"] = new("≥ 2×", (r, _, _) => r >= 2),
        ["push-mono"] = new("≥ 1.0× and ≥ 80% of disk", (r, disk, _) => disk is null ? null : r >= 1.0 && disk >= 0.8),
        ["push-chunked"] = new("≥ 1.0× and ≥ 80% of disk", (r, disk, _) => disk is null ? null : r >= 1.0 && disk >= 0.8),
        ["pull-storm"] = new("≤ 0.5× the wall time", (r, _, _) => r <= 0.5),
    };

    // A feature on against off (--goals overhead): what the feature may cost on the hot paths.
    private static readonly Dictionary<string, Target> OverheadGoals = new()
    {
        ["manifest-tag"] = new("≥ 0.95×", (r, _, _) => r >= 0.95),
        ["push-image"] = new("≥ 0.90×", (r, _, _) => r >= 0.90),
    };

    // Garbage collection running against off (--goals gc): the lifecycle issue's 5 % on both paths.
    private static readonly Dictionary<string, Target> GcGoals = new()
    {
        ["manifest-tag"] = new("≥ 0.95×", (r, _, _) => r >= 0.95),
        ["push-image"] = new("≥ 0.95×", (r, _, _) => r >= 0.95),
    };

    public static int Print(string[] args)
    {
        if (args.Length == 0)
        {
            throw new ArgumentException("report needs a results file");
        }

        var baseline = Option(args, "--baseline") ?? "distribution";
        var candidate = Option(args, "--candidate") ?? "orleans";
        var goals = Option(args, "--goals") switch
        {
            null or "peer" => PeerGoals,
            "overhead" => OverheadGoals,
            "gc" => GcGoals,
            var other => throw new ArgumentException($"--goals is peer, overhead or gc, not {other}"),
        };
        var results = File.ReadLines(args[0])
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonSerializer.Deserialize<ScenarioResult>(l, Json)!)
            .ToList();
        var disk = results.Where(r => r.Scenario == "disk-write-fsync").Select(r => r.Value).ToList();
        double? diskRate = disk.Count > 0 ? Median(disk) : null;

        var sb = new StringBuilder();
        var rounds = results.Select(r => r.Round).Distinct().Count();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Medians of {rounds} round(s); ratio = {candidate} / {baseline} in the scenario's unit (for `s`, lower is better).");
        if (diskRate is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"Disk write+fsync (dd conv=fsync, same filesystem, same run): {diskRate:F0} MiB/s.");
        }

        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| scenario | generator | unit | {baseline} | {candidate} | ratio | server CPU {baseline} / {candidate} | target | met |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---|---|");
        foreach (var group in results.Where(r => r.Target != "disk").GroupBy(r => (r.Scenario, r.Generator)).OrderBy(g => Order(g.Key.Scenario)).ThenBy(g => g.Key.Generator))
        {
            var a = group.Where(r => r.Target == baseline).ToList();
            var b = group.Where(r => r.Target == candidate).ToList();
            if (a.Count == 0 || b.Count == 0)
            {
                continue;
            }

            var unit = group.First().Unit;
            var av = Median(a.Select(r => r.Value));
            var bv = Median(b.Select(r => r.Value));
            var ratio = av == 0 ? double.NaN : bv / av;
            var paired = PairedRatios(a, b);
            var bp99 = Median(b.Select(r => r.P99Ms));
            double? diskShare = diskRate is > 0 && unit == "MiB/s" ? bv / diskRate : null;
            var target = goals.GetValueOrDefault(group.Key.Scenario);
            var met = target?.Met(ratio, diskShare, bp99);
            var metText = met switch { true => "met", false => "**not met**", null => "—" };
            if (diskShare is not null && group.Key.Scenario.StartsWith("push", StringComparison.Ordinal))
            {
                metText += string.Create(CultureInfo.InvariantCulture, $" ({diskShare:P0} of disk)");
            }

            var errors = a.Sum(r => r.Errors) + b.Sum(r => r.Errors);
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key.Scenario} | {group.Key.Generator} | {unit} | {Cell(a)} | {Cell(b)} | {ratio:F2}×{paired} | {Cpu(a)} / {Cpu(b)} | {target?.Text ?? "—"} | {metText}{(errors > 0 ? $" ({errors} errors)" : "")} |"));
        }

        Console.Write(sb.ToString());
        return 0;
    }

    /// <summary>The spread of the rounds' own ratios (each round runs both, one after the other): how far to trust the medians.</summary>
    private static string PairedRatios(List<ScenarioResult> a, List<ScenarioResult> b)
    {
        var ratios = a.Join(b, x => x.Round, y => y.Round, (x, y) => x.Value == 0 ? double.NaN : y.Value / x.Value).Where(double.IsFinite).ToList();
        return ratios.Count < 2 ? "" : string.Create(CultureInfo.InvariantCulture, $" (rounds {ratios.Min():F2}–{ratios.Max():F2})");
    }

    private static string Cell(List<ScenarioResult> r) => string.Create(CultureInfo.InvariantCulture,
        $"{Median(r.Select(x => x.Value)):F1} (p50 {Median(r.Select(x => x.P50Ms)):F1} / p99 {Median(r.Select(x => x.P99Ms)):F1} ms)");

    private static string Cpu(List<ScenarioResult> r)
    {
        var known = r.Where(x => x.ServerCpuPercent >= 0).Select(x => x.ServerCpuPercent).ToList();
        return known.Count == 0 ? "?" : string.Create(CultureInfo.InvariantCulture, $"{Median(known):F0}%");
    }

    private static int Order(string scenario)
    {
        var i = Array.IndexOf(Scenarios.All, scenario);
        return i < 0 ? int.MaxValue : i;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
