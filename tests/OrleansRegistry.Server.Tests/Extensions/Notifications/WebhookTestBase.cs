using OrleansRegistry.Tests.Shared;
using System.Net;
using System.Net.Http.Json;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Notifications;

/// <summary>What the webhook tests share: an admin client, registering a webhook, waiting on its status.</summary>
public abstract class WebhookTestBase(WebhookServer fixture)
{
    protected RegistryServer Server => fixture.Server;

    protected WebhookServer Fixture => fixture;

    protected HttpClient Root()
    {
        var root = Server.CreateClient();
        root.DefaultRequestHeaders.Authorization = AuthClient.Basic("root", "root-pass");
        return root;
    }

    protected async Task RegisterAsync(string name, string url, object? extra = null, string repositories = "*")
    {
        using var root = Root();
        var body = new Dictionary<string, object?> { ["url"] = url, ["secret"] = WebhookServer.Secret, ["repositories"] = repositories };
        if (extra is Dictionary<string, object?> more)
        {
            foreach (var (k, v) in more)
            {
                body[k] = v;
            }
        }

        using var put = await root.PutAsJsonAsync($"/api/v1/webhooks/{name}", body);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    protected static bool Pushed(ReceivedWebhook hook) => hook.Json.GetProperty("type").GetString() == "io.orleansregistry.artifact.pushed";

    protected static async Task<System.Text.Json.JsonElement> WaitForStatusAsync(HttpClient root, string name, Func<System.Text.Json.JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var get = await root.GetAsync($"/api/v1/webhooks/{name}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            using var json = await get.ReadJsonAsync();
            var status = json.RootElement.GetProperty("status").Clone();
            if (done(status) || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(200);
        }
    }

    protected static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(200);
        }
    }
}
