using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests;

/// <summary>
/// The storage probe of a real server process: when the data directory's storage and grain folders
/// stop being usable, <c>/healthz/storage</c> and <c>registry_storage_healthy</c> say so while
/// <c>/readyz</c> stays 200; once they are back, the probe reports healthy again.
/// </summary>
public sealed class StorageHealthTests(ITestOutputHelper log)
{
    [Fact]
    public async Task A_failing_storage_shows_in_the_storage_health_but_not_in_readiness()
    {
        using var data = new TempDirectory();
        await using var server = await RegistryProcess.StartReadyAsync(data.Path, log, "--Registry:Health:StorageProbeInterval=00:00:00.250");
        using var client = server.CreateClient();

        var healthy = await UntilAsync(client, body => Healthy(body, "blob") == true && Healthy(body, "grain") == true);
        Assert.True(healthy.GetProperty("blob").GetProperty("lastSuccess").ValueKind == JsonValueKind.String, healthy.ToString());

        // Break both stores for real: the folders become plain files, so nothing can be written under them
        // (a read-only folder would not do: the tests run as root, who may write anyway).
        var broken = new[] { "storage", "grains" }.Select(name => Path.Combine(data.Path, name)).ToArray();
        foreach (var folder in broken)
        {
            Directory.Move(folder, folder + ".moved");
            await File.WriteAllTextAsync(folder, "not a folder");
        }

        var failing = await UntilAsync(client, body => Healthy(body, "blob") == false && Healthy(body, "grain") == false);
        log.WriteLine(failing.ToString());
        foreach (var store in new[] { "blob", "grain" })
        {
            var result = failing.GetProperty(store);
            Assert.False(string.IsNullOrEmpty(result.GetProperty("error").GetString()));
            Assert.Equal(JsonValueKind.String, result.GetProperty("lastSuccess").ValueKind);
        }

        using (var storage = await client.GetAsync("/healthz/storage"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, storage.StatusCode);
        }

        using (var ready = await client.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        await MetricsShowAsync(client, 0);

        foreach (var folder in broken)
        {
            File.Delete(folder);
            Directory.Move(folder + ".moved", folder);
        }

        await UntilAsync(client, body => Healthy(body, "blob") == true && Healthy(body, "grain") == true);
        await MetricsShowAsync(client, 1);
        for (var i = 0; i < 50 && !server.Output.Contains("storage probe: blob storage is healthy again", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains("storage probe: blob storage failed", server.Output);
        Assert.Contains("storage probe: blob storage is healthy again", server.Output);
    }

    /// <summary>The exporter caches a scrape for a moment: poll until both gauges show <paramref name="value"/>.</summary>
    private static async Task MetricsShowAsync(HttpClient client, int value)
    {
        var metrics = "";
        for (var i = 0; i < 50; i++)
        {
            metrics = await client.GetStringAsync("/metrics");
            if (Gauge("blob", value).IsMatch(metrics) && Gauge("grain", value).IsMatch(metrics))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"registry_storage_healthy is not {value} for both stores:\n"
            + string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("registry_storage_healthy", StringComparison.Ordinal))));
    }

    private static Regex Gauge(string store, int value) =>
        new($"(?m)^registry_storage_healthy\\{{[^}}]*store=\"{store}\"[^}}]*\\}} {value}( |$)");

    private static bool? Healthy(JsonElement body, string store) =>
        body.GetProperty(store).GetProperty("healthy") switch
        {
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => null,
        };

    private static async Task<JsonElement> UntilAsync(HttpClient client, Func<JsonElement, bool> done)
    {
        JsonElement body = default;
        for (var i = 0; i < 150; i++)
        {
            using var response = await client.GetAsync("/healthz/storage");
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            body = json.RootElement.Clone();
            if (done(body))
            {
                return body;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the storage health never got there: {body}");
    }
}
