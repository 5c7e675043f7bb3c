using System.Globalization;
using System.Text.Json.Serialization;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>
/// A retention rule as the admin API's body and the configuration's entries write it (the configuration
/// adds <c>namespace</c>; in the API the path names it). Unknown fields are refused: a misspelt keep rule
/// would otherwise keep nothing.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RetentionEntry : RuleEntry
{
    [JsonPropertyName("keepLastPushed")] public int? KeepLastPushed { get; set; }
    [JsonPropertyName("keepPushedWithinDays")] public int? KeepPushedWithinDays { get; set; }
    [JsonPropertyName("keepPulledWithinDays")] public int? KeepPulledWithinDays { get; set; }
    [JsonPropertyName("keepTags")] public string?[]? KeepTags { get; set; }
    [JsonPropertyName("removeUntagged")] public bool? RemoveUntagged { get; set; }

    /// <summary>A time span, <c>d.hh:mm:ss</c>: <c>1.00:00:00</c> is a day.</summary>
    [JsonPropertyName("schedule")] public string? Schedule { get; set; }
}

/// <summary>Checks a retention rule; the message says what is wrong.</summary>
public static class RetentionRuleInput
{
    public const int MaxTags = 100;
    public const int MaxKeepLastPushed = 100_000;
    public const int MaxDays = 36_500;
    public static readonly TimeSpan ShortestSchedule = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan LongestSchedule = TimeSpan.FromDays(366);

    public static RetentionRule Validate(string pattern, RetentionEntry entry, string source)
    {
        var rule = new RetentionRule
        {
            Pattern = RuleInput.RequirePattern(pattern),
            KeepLastPushed = InRange(entry.KeepLastPushed, "keepLastPushed", MaxKeepLastPushed),
            KeepPushedWithinDays = InRange(entry.KeepPushedWithinDays, "keepPushedWithinDays", MaxDays),
            KeepPulledWithinDays = InRange(entry.KeepPulledWithinDays, "keepPulledWithinDays", MaxDays),
            KeepTags = RuleInput.RequireTagGlobs(entry.KeepTags ?? [], MaxTags),
            RemoveUntagged = entry.RemoveUntagged ?? false,
            Schedule = Schedule(entry.Schedule),
            Source = source,
        };
        return rule.HasKeepRules || rule.RemoveUntagged
            ? rule
            : throw AdminRequests.BadRequest("give at least one of keepLastPushed, keepPushedWithinDays, keepPulledWithinDays, keepTags, or removeUntagged: true");
    }

    private static int? InRange(int? value, string name, int max) =>
        value is null || (value >= 1 && value <= max) ? value : throw AdminRequests.BadRequest($"{name} must be a whole number from 1 to {max}");

    private static TimeSpan Schedule(string? schedule)
    {
        if (schedule is null)
        {
            return RetentionRule.DefaultSchedule;
        }

        return TimeSpan.TryParse(schedule, CultureInfo.InvariantCulture, out var interval) && interval >= ShortestSchedule && interval <= LongestSchedule
            ? interval
            : throw AdminRequests.BadRequest($"schedule must be a time span from {ShortestSchedule:c} to {LongestSchedule:c} (d.hh:mm:ss; 1.00:00:00 is a day)");
    }
}
