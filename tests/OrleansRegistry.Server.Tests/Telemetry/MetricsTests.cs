using System.Net;
using System.Net.Http.Headers;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Telemetry;

public sealed class MetricsTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private readonly HttpClient _client = server.CreateClient();

    [Fact]
    public async Task After_a_push_and_a_pull_metrics_show_the_http_and_registry_metrics_with_values()
    {
        var repo = OciClient.Unique("metrics");

        // Push: a chunked upload (POST, PATCH, PUT) and a whole image (monolithic blobs, a manifest).
        var chunked = OciClient.RandomBytes(70_000);
        var chunkedDigest = await PushChunkedAsync(repo, chunked);
        var (manifest, manifestDigest) = await _client.PushImageAsync(repo, "v1");

        // Pull: the manifest by tag, and a blob.
        var getManifest = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/manifests/v1");
        getManifest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciClient.OciManifest));
        using (var response = await _client.SendAsync(getManifest))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync());
        }

        using (var response = await _client.GetAsync($"/v2/{repo}/blobs/{chunkedDigest}"))
        {
            Assert.Equal(chunked, await response.Content.ReadAsByteArrayAsync());
        }

        // HTTP metrics are recorded when a response ends, after the client may already have read it: poll briefly.
        PrometheusText metrics = null!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string[] missing;
        do
        {
            metrics = await ScrapeAsync();
            missing = Missing(metrics, chunked.Length, manifest.Length);
            if (missing.Length == 0)
            {
                break;
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(missing.Length == 0, "missing or zero: " + string.Join("; ", missing) + "\ntypes:" + string.Join(" ", metrics.Types.Keys) + "\nscraped:\n"
            + string.Join("\n", metrics.Samples.Where(s => !s.Name.EndsWith("_bucket", StringComparison.Ordinal))
                .Select(s => $"{s.Name} {string.Join(",", s.Labels.Select(l => $"{l.Key}={l.Value}"))} {s.Value}")));
        Assert.Equal("histogram", metrics.Types["http_server_request_duration_seconds"]);
        Assert.Equal("histogram", metrics.Types["registry_storage_operation_duration_seconds"]);
        Assert.Equal("counter", metrics.Types["registry_pushed_bytes_total"]);
        Assert.Equal("counter", metrics.Types["registry_pulled_bytes_total"]);
        Assert.Equal("counter", metrics.Types["registry_upload_outcomes_total"]);
        Assert.Equal("gauge", metrics.Types["registry_uploads_in_progress"]);
        Assert.NotNull(manifestDigest);
    }

    [Fact]
    public async Task Routes_in_http_metrics_never_carry_repository_names_or_digests()
    {
        var repo = OciClient.Unique("metrics-cardinality");
        await _client.PushImageAsync(repo, "v1");
        // Recorded when the response ends, and the exporter caches a scrape briefly: poll.
        var metrics = await ScrapeUntilAsync(m => Routes(m).Contains("/v2/{name}/manifests/{reference}"));
        var routes = Routes(metrics);
        Assert.Contains("/v2/{name}/blobs/uploads/", routes);
        Assert.DoesNotContain(routes, r => r.Contains("sha256", StringComparison.Ordinal) || r.Contains("metrics-cardinality", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cache_and_auth_instruments_are_exported_under_their_registry_names()
    {
        // The manifest/tag cache and authentication come later; they call this API.
        var metrics = server.Services.GetRequiredService<RegistryMetrics>();
        metrics.CacheHit(RegistryCache.Manifest);
        metrics.CacheMiss(RegistryCache.Tag);
        metrics.CacheLookup(RegistryCache.Tag, hit: true);
        metrics.AuthFailure("invalid_token");

        var scrape = await ScrapeUntilAsync(m => m.Has("registry_auth_failures_total"));
        Assert.True(scrape.Sum("registry_cache_hits_total", ("cache", "manifest")) >= 1);
        Assert.True(scrape.Sum("registry_cache_hits_total", ("cache", "tag")) >= 1);
        Assert.True(scrape.Sum("registry_cache_misses_total", ("cache", "tag")) >= 1);
        Assert.True(scrape.Sum("registry_auth_failures_total", ("reason", "invalid_token")) >= 1);
    }

    private static string[] Missing(PrometheusText metrics, long chunkedLength, long manifestLength)
    {
        var checks = new (string What, bool Ok)[]
        {
            ("http GET manifests", metrics.Sum("http_server_request_duration_seconds_count",
                ("http_route", "/v2/{name}/manifests/{reference}"), ("http_request_method", "GET"), ("http_response_status_code", "200")) > 0),
            ("http PUT manifests", metrics.Sum("http_server_request_duration_seconds_count",
                ("http_route", "/v2/{name}/manifests/{reference}"), ("http_request_method", "PUT"), ("http_response_status_code", "201")) > 0),
            ("http PATCH upload", metrics.Sum("http_server_request_duration_seconds_count",
                ("http_route", "/v2/{name}/blobs/uploads/{id}"), ("http_request_method", "PATCH"), ("http_response_status_code", "202")) > 0),
            ("http GET blob", metrics.Sum("http_server_request_duration_seconds_count",
                ("http_route", "/v2/{name}/blobs/{digest}"), ("http_request_method", "GET")) > 0),
            ("http duration sum", metrics.Sum("http_server_request_duration_seconds_sum", ("http_route", "/v2/{name}/blobs/{digest}")) > 0),
            ("pushed blob bytes", metrics.Sum("registry_pushed_bytes_total", ("kind", "blob")) >= chunkedLength),
            ("pushed manifest bytes", metrics.Sum("registry_pushed_bytes_total", ("kind", "manifest")) >= manifestLength),
            ("pulled blob bytes", metrics.Sum("registry_pulled_bytes_total", ("kind", "blob")) >= chunkedLength),
            ("pulled manifest bytes", metrics.Sum("registry_pulled_bytes_total", ("kind", "manifest")) >= manifestLength),
            ("completed uploads", metrics.Sum("registry_upload_outcomes_total", ("outcome", "completed")) >= 3),
            ("uploads in progress", metrics.Has("registry_uploads_in_progress")),
            ("storage commit latency", metrics.Sum("registry_storage_operation_duration_seconds_count",
                ("provider", "filesystem"), ("operation", "commit"), ("outcome", "success")) > 0),
            ("storage read latency", metrics.Sum("registry_storage_operation_duration_seconds_sum",
                ("provider", "filesystem"), ("operation", "open_read")) > 0),
            ("grain activations", metrics.Sum("registry_grain_activations", ("grain_type", "repository")) > 0),
        };
        return [.. checks.Where(c => !c.Ok).Select(c => c.What)];
    }

    private static List<string> Routes(PrometheusText metrics) =>
        [.. metrics.Select("http_server_request_duration_seconds_count").Select(s => s.Labels.GetValueOrDefault("http_route", "")).Distinct()];

    private async Task<PrometheusText> ScrapeUntilAsync(Func<PrometheusText, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var metrics = await ScrapeAsync();
            if (done(metrics) || DateTime.UtcNow > deadline)
            {
                return metrics;
            }

            await Task.Delay(250);
        }
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await _client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<string> PushChunkedAsync(string repo, byte[] data)
    {
        var digest = OciClient.Sha256(data);
        using var start = await _client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        var half = data.Length / 2;
        foreach (var (from, to) in new[] { (0, half), (half, data.Length) })
        {
            var chunk = new ByteArrayContent(data[from..to]);
            chunk.Headers.TryAddWithoutValidation("Content-Range", $"{from}-{to - 1}");
            using var patch = await _client.PatchAsync(location, chunk);
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
            location = patch.Headers.Location!.ToString();
        }

        using var put = await _client.PutAsync($"{location}?digest={digest}", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }
}
