namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>An endpoint that receives events, as the admin API or the configuration file declares it.</summary>
[GenerateSerializer, Immutable, Alias("webhook")]
public sealed record Webhook
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Url { get; init; }

    /// <summary>The signing secret (Standard Webhooks: <c>whsec_</c> + base64, or any other string used as UTF-8 bytes). Never shown again.</summary>
    [Id(2)] public string? Secret { get; init; }

    /// <summary>Which kinds it gets, of <see cref="WebhookEvents.Kinds"/>.</summary>
    [Id(3)] public string[] Events { get; init; } = WebhookEvents.Default;

    /// <summary>A namespace pattern (<c>*</c>, <c>team/*</c>, a repository name).</summary>
    [Id(4)] public string Repositories { get; init; } = "*";

    /// <summary><c>cloudevents</c> (default) or <c>distribution</c>.</summary>
    [Id(5)] public string Format { get; init; } = WebhookFormats.CloudEvents;

    [Id(6)] public bool Enabled { get; init; } = true;

    /// <summary>Why it was disabled by the registry (a 410 from the endpoint), if it was.</summary>
    [Id(7)] public string? DisabledReason { get; init; }

    /// <summary><c>api</c> or <c>configuration</c> (the configuration file wins at every start).</summary>
    [Id(8)] public string Source { get; init; } = WebhookSources.Api;

    /// <summary>The event-log consumer that delivers to it (its own checkpoints).</summary>
    public string Consumer => WebhookEvents.ConsumerPrefix + Name;
}

public static class WebhookFormats
{
    public const string CloudEvents = "cloudevents";
    public const string Distribution = "distribution";
}

public static class WebhookSources
{
    public const string Api = "api";
    public const string Configuration = "configuration";
}

/// <summary>What a webhook keeps of its deliveries.</summary>
[GenerateSerializer, Immutable, Alias("webhook-status")]
public sealed record WebhookStatus
{
    [Id(0)] public int? LastStatus { get; init; }
    [Id(1)] public DateTimeOffset? LastAttempt { get; init; }
    [Id(2)] public string? LastError { get; init; }
    [Id(3)] public long Delivered { get; init; }
    [Id(4)] public long Failures { get; init; }
    [Id(5)] public int DeadLettered { get; init; }
}
