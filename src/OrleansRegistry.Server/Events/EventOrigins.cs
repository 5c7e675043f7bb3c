using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Http;

namespace OrleansRegistry.Server.Events;

/// <summary>Who and which request an HTTP request's writes and pulls come from, as their events say.</summary>
public sealed class EventOrigins(ILocalSiloDetails silo)
{
    private readonly string _source = silo.SiloAddress.ToParsableString();

    /// <summary>Who authentication found the request to be (<see cref="RequestActor"/>); anonymous when it found nobody.</summary>
    public static EventActor Actor(HttpContext context) => context.Features.Get<RequestActor>()?.Actor ?? EventActor.Anonymous;

    /// <summary>The actor a user or robot name (null: anonymous) stands for.</summary>
    public static EventActor ActorOf(string? subject) => subject switch
    {
        null => EventActor.Anonymous,
        _ when AccessPolicy.IsRobotName(subject) => new EventActor { Name = subject, Kind = ActorKinds.Robot },
        _ => new EventActor { Name = subject, Kind = ActorKinds.User },
    };

    public EventOrigin For(HttpContext context) => new()
    {
        Actor = Actor(context),
        Request = new EventRequest
        {
            Id = context.TraceIdentifier,
            Address = ClientAddress.Of(context),
            UserAgent = Truncate(context.Request.Headers.UserAgent.ToString()),
            Method = context.Request.Method,
            Host = Truncate(context.Request.Host.Value),
        },
        Source = _source,
    };

    /// <summary>Puts the origin where grain calls of this request carry it (Orleans' request context).</summary>
    public void Attach(HttpContext context) => RequestContext.Set(EventOrigin.ContextKey, For(context));

    private static string? Truncate(string? value) => value is { Length: > 256 } ? value[..256] : value;
}
