namespace OrleansRegistry.LoadTest;

/// <summary>One run of one scenario against one registry; written as a JSON line for the report.</summary>
public sealed record ScenarioResult
{
    public required string Scenario { get; init; }

    public required string Target { get; init; }

    public int Round { get; init; }

    /// <summary>"req/s", "MiB/s", "ops/s" or "s" (wall time: lower is better).</summary>
    public required string Unit { get; init; }

    public double Value { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public int Requests { get; init; }

    public int Errors { get; init; }

    public double Seconds { get; init; }

    public double ClientCpuPercent { get; init; }

    /// <summary>CPU the server process used during the measured phase, in percent of one core; -1 when unknown.</summary>
    public double ServerCpuPercent { get; init; } = -1;

    public string Generator { get; init; } = "loadtest";

    public string? Note { get; init; }

    public bool LowerIsBetter => Unit is "s" or "MiB" or "x";

    /// <summary>A measured run: latencies from <paramref name="s"/>, CPU seconds turned into percent of one core over <paramref name="seconds"/>.</summary>
    public static ScenarioResult Of(LoadOptions options, string name, string unit, double value, LatencyRecorder.Summary s,
        double seconds, double serverCpu, double clientCpu, string? note) => new()
    {
        Scenario = name,
        Target = options.Target,
        Round = options.Round,
        Unit = unit,
        Value = value,
        P50Ms = s.P50Ms,
        P99Ms = s.P99Ms,
        Requests = s.Count,
        Errors = s.Errors,
        Seconds = seconds,
        ServerCpuPercent = serverCpu < 0 ? -1 : 100 * serverCpu / seconds,
        ClientCpuPercent = 100 * clientCpu / seconds,
        Note = note,
    };
}
