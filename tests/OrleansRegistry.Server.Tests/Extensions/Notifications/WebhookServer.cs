using OrleansRegistry.Tests.Shared;
using System.Text.Json.Nodes;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Notifications;

/// <summary>
/// A token-mode server whose outbound policy allows 127.0.0.0/8 (explicitly, as the issue asks of
/// tests), with short backoffs, and a configuration file that declares one webhook, <c>declared</c>.
/// </summary>
public class WebhookServer : AuthServer
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private readonly TimeSpan _deliveryWindow;

    public WebhookServer()
        : this(TimeSpan.FromHours(24))
    {
    }

    protected WebhookServer(TimeSpan deliveryWindow) => _deliveryWindow = deliveryWindow;

    public WebhookReceiver Declared { get; } = new();

    public override async Task InitializeAsync()
    {
        await Declared.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Declared.DisposeAsync();
    }

    protected override Dictionary<string, string> Settings() => new()
    {
        ["Registry:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
        ["Registry:Notifications:InitialBackoff"] = "00:00:00.100",
        ["Registry:Notifications:MaxBackoff"] = "00:00:01",
        ["Registry:Notifications:DeliveryWindow"] = _deliveryWindow.ToString(),
    };

    protected override string ConfigurationFile()
    {
        var config = JsonNode.Parse(Config)!.AsObject();
        config["webhooks"] = new JsonArray(new JsonObject
        {
            ["name"] = "declared",
            ["url"] = Declared.Url,
            ["events"] = new JsonArray("push"),
            ["repositories"] = "declared/*",
            ["format"] = "distribution",
        });
        return config.ToJsonString();
    }
}

/// <summary>As <see cref="WebhookServer"/>, with a delivery window of 3 s: failures become dead letters quickly.</summary>
public sealed class ShortWindowWebhookServer() : WebhookServer(TimeSpan.FromSeconds(3));
