namespace OrleansRegistry.Contracts.Events;

/// <summary>
/// Who a request is, as authentication found it (an <c>HttpContext</c> feature): the token's user or
/// robot, the admin of an admin API call, the name a failed login tried. Absent: anonymous.
/// </summary>
public sealed record RequestActor(EventActor Actor);
