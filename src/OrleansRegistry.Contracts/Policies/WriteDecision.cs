namespace OrleansRegistry.Contracts.Policies;

/// <summary>A policy's answer to a <see cref="WriteRequest"/>: allowed, or refused with the HTTP status and the message the client gets.</summary>
public sealed record WriteDecision
{
    public static readonly WriteDecision Allowed = new(statusCode: 0, message: null, reservation: null);

    private WriteDecision(int statusCode, string? message, IWriteReservation? reservation)
    {
        StatusCode = statusCode;
        Message = message;
        Reservation = reservation;
    }

    public bool IsAllowed => Message is null;

    /// <summary>The status of a refusal (403 unless the policy chose another); 0 when allowed.</summary>
    public int StatusCode { get; }

    /// <summary>Why the write is refused, naming the rule; null when allowed.</summary>
    public string? Message { get; }

    /// <summary>What the policy holds for an allowed write until it ends (a quota's reservation); null when nothing.</summary>
    public IWriteReservation? Reservation { get; }

    public static WriteDecision Deny(string message, int statusCode = 403) => new(statusCode, message, reservation: null);

    /// <summary>Allowed, holding <paramref name="reservation"/> until the server says how the write ended.</summary>
    public static WriteDecision AllowHolding(IWriteReservation reservation) => new(statusCode: 0, message: null, reservation);
}
