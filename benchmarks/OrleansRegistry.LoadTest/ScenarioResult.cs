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
}
