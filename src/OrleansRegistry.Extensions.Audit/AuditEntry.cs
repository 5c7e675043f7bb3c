namespace OrleansRegistry.Extensions.Audit;

/// <summary>One line of the audit log. Never a password, secret or token.</summary>
public sealed record AuditEntry
{
    public required DateTimeOffset Time { get; init; }
    public string? Actor { get; init; }
    public string? Address { get; init; }
    public required string Action { get; init; }
    public string? Repository { get; init; }
    public string? Reference { get; init; }
    public string? Digest { get; init; }

    /// <summary><c>allowed</c> or <c>denied</c>.</summary>
    public required string Decision { get; init; }

    public string? Reason { get; init; }
    public string? RequestId { get; init; }
}

public static class AuditDecisions
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
}
