using System.Net;
using System.Text.Json;
using OrleansRegistry.Server.Health;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Health;

public sealed class StorageHealthTests
{
    [Fact]
    public async Task The_probe_reports_both_stores_healthy_in_the_detail_endpoint_and_the_metrics()
    {
        var server = RegistryServer.With(new() { ["Registry:Health:StorageProbeInterval"] = "00:00:00.200" });
        await server.InitializeAsync();
        try
        {
            await AssertHealthyAsync(server);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task AssertHealthyAsync(RegistryServer server)
    {
        using var client = server.CreateClient();

        JsonElement body = default;
        for (var i = 0; i < 100; i++)
        {
            using var response = await client.GetAsync(HealthEndpoints.StoragePath);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            body = json.RootElement.Clone();
            if (body.GetProperty("blob").GetProperty("healthy").ValueKind == JsonValueKind.True
                && body.GetProperty("grain").GetProperty("healthy").ValueKind == JsonValueKind.True)
            {
                break;
            }

            await Task.Delay(100);
        }

        foreach (var store in new[] { "blob", "grain" })
        {
            var result = body.GetProperty(store);
            Assert.True(result.GetProperty("healthy").GetBoolean(), body.ToString());
            Assert.True(result.GetProperty("lastSuccess").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
            Assert.Equal(JsonValueKind.Null, result.GetProperty("error").ValueKind);
        }

        var metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(1, metrics.Samples.Single(s => s.Name == "registry_storage_healthy" && s.Labels["store"] == "blob").Value);
        Assert.Equal(1, metrics.Samples.Single(s => s.Name == "registry_storage_healthy" && s.Labels["store"] == "grain").Value);
        Assert.Contains(metrics.Samples, s => s.Name == "registry_storage_probe_duration_seconds" && s.Labels["store"] == "grain" && s.Value > 0);

        // The probe leaves no blob behind (each probe deletes its own).
        var blobs = Path.Combine(server.DataPath, "storage", "blobs");
        Assert.True(Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories).Count() <= 1, "probe blobs were left behind");
    }

    [Theory]
    [InlineData("Server failed to authenticate the request. sig=abc%2Fdef&se=2030", "sig=***")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0;EndpointSuffix=core", "AccountKey=***")]
    [InlineData("connect failed: password=hunter2 user=x", "password=***")]
    public void A_failure_is_described_without_credentials(string message, string masked)
    {
        var text = StorageHealth.Describe(new IOException(message + "\nsecond line with sig=zzz"));
        Assert.StartsWith("IOException: ", text);
        Assert.Contains(masked, text);
        Assert.DoesNotContain("abc%2Fdef", text);
        Assert.DoesNotContain("c2VjcmV0", text);
        Assert.DoesNotContain("hunter2", text);
        Assert.DoesNotContain("second line", text);
    }
}
