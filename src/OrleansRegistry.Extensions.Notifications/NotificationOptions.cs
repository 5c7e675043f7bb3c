namespace OrleansRegistry.Extensions.Notifications;

/// <summary>The <c>Registry:Notifications</c> section: how webhooks are delivered. Every key is in docs/configuration.md.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Registry:Notifications";

    /// <summary>How long an event is retried (from the time it happened) before it is dead-lettered. Default 24 h.</summary>
    public TimeSpan DeliveryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first pause after a failed delivery; each further failure doubles it (with ±20 % jitter). Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between tries (and the longest <c>Retry-After</c> honoured). Default 5 min.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one delivery may take. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Dead letters kept per webhook (the oldest go first). Default 1,000.</summary>
    public int DeadLettersKept { get; set; } = 1_000;
}
