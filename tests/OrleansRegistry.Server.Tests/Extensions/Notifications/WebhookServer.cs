using OrleansRegistry.Tests.Shared;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Notifications;

/// <summary>
/// A token-mode server whose outbound policy allows 127.0.0.0/8 (explicitly, as the issue asks of
/// tests), with short backoffs, and a configuration file that declares one webhook, <c>declared</c>.
/// </summary>
public class WebhookServer : IAsyncLifetime
{
    private readonly TimeSpan _deliveryWindow;

    public WebhookServer()
        : this(TimeSpan.FromHours(24))
    {
    }

    protected WebhookServer(TimeSpan deliveryWindow) => _deliveryWindow = deliveryWindow;

    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private readonly string _configPath = Path.Combine(Path.GetTempPath(), $"orleans-registry-auth-{Guid.NewGuid():N}.json");

    public RegistryServer Server { get; private set; } = null!;

    public WebhookReceiver Declared { get; } = new();

    public async Task InitializeAsync()
    {
        await Declared.StartAsync();
        var config = System.Text.Json.Nodes.JsonNode.Parse(AuthServer.Config)!.AsObject();
        config["webhooks"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
        {
            ["name"] = "declared",
            ["url"] = Declared.Url,
            ["events"] = new System.Text.Json.Nodes.JsonArray("push"),
            ["repositories"] = "declared/*",
            ["format"] = "distribution",
        });
        await File.WriteAllTextAsync(_configPath, config.ToJsonString());
        Server = RegistryServer.With(new Dictionary<string, string>
        {
            ["Registry:Auth:ConfigPath"] = _configPath,
            ["Registry:Auth:BcryptCost"] = "4",
            ["Registry:Outbound:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Registry:Notifications:InitialBackoff"] = "00:00:00.100",
            ["Registry:Notifications:MaxBackoff"] = "00:00:01",
            ["Registry:Notifications:DeliveryWindow"] = _deliveryWindow.ToString(),
        });
        await Server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Declared.DisposeAsync();
        File.Delete(_configPath);
    }
}

/// <summary>As <see cref="WebhookServer"/>, with a delivery window of 3 s: failures become dead letters quickly.</summary>
public sealed class ShortWindowWebhookServer() : WebhookServer(TimeSpan.FromSeconds(3));
