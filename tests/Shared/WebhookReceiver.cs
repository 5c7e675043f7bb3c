using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace OrleansRegistry.Tests.Shared;

/// <summary>A request a <see cref="WebhookReceiver"/> got.</summary>
public sealed record ReceivedWebhook(string Body, string ContentType, Dictionary<string, StringValues> Headers, int AnsweredWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value.ToString() : "";
}

/// <summary>
/// A real HTTP receiver on 127.0.0.1 (Kestrel): records every request and answers with
/// <see cref="Status"/> (200 by default). It can be stopped and started again on the same port.
/// Compiled into the test projects that need it (tests/Shared).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication? _app;

    public int Port { get; } = PickPort();

    public string Url => $"http://127.0.0.1:{Port}/hook";

    private static int PickPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>What to answer; a header <c>Retry-After</c> goes with 429 and 503.</summary>
    public volatile int Status = 200;

    public IEnumerable<ReceivedWebhook> Delivered => Received.Where(r => r.AnsweredWith is >= 200 and < 300);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        var app = builder.Build();
        app.MapPost("/hook", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var status = Status;
            Received.Enqueue(new ReceivedWebhook(body, context.Request.ContentType ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase), status));
            if (status is 429 or 503)
            {
                context.Response.Headers.RetryAfter = "1";
            }

            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    public async Task<List<ReceivedWebhook>> WaitForAsync(Func<WebhookReceiver, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!done(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(50);
        }

        return [.. Delivered];
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
