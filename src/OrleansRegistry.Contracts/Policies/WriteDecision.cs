namespace OrleansRegistry.Contracts.Policies;

/// <summary>A policy's answer to a <see cref="WriteRequest"/>: allowed, or refused with the HTTP status and the message the client gets.</summary>
public sealed record WriteDecision
{
    public static readonly WriteDecision Allowed = new(statusCode: 0, message: null);

    private WriteDecision(int statusCode, string? message)
    {
        StatusCode = statusCode;
        Message = message;
    }

    public bool IsAllowed => Message is null;

    /// <summary>The status of a refusal (403 unless the policy chose another); 0 when allowed.</summary>
    public int StatusCode { get; }

    /// <summary>Why the write is refused, naming the rule; null when allowed.</summary>
    public string? Message { get; }

    public static WriteDecision Deny(string message, int statusCode = 403) => new(statusCode, message);
}
