using System.Net;
using System.Net.Http.Headers;
using System.Web;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Server.Tests.Infrastructure;
using OrleansRegistry.Storage;
using OrleansRegistry.Storage.AzureBlob;
using OrleansRegistry.Storage.FileSystem;

namespace OrleansRegistry.Server.Tests.Endpoints;

/// <summary>
/// A server keeping blobs in Azurite, in this process, with <c>Registry:Cluster:Azure:Redirect</c>
/// settings of the subclass; every log line it writes (at every level) is captured.
/// </summary>
public abstract class AzureRedirectServer(Dictionary<string, string> redirect) : IAsyncLifetime
{
    private string _container = "";

    public CapturingLoggerProvider Logs { get; } = new();

    public RegistryServer Server { get; private set; } = null!;

    /// <summary>A client that does not follow redirects, to look at them.</summary>
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = AzuriteSettings.BlobStorage(out _container);
        // Every level, also for the categories the server's appsettings.json quiets.
        settings["Logging:LogLevel:Default"] = "Trace";
        settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
        settings["Logging:LogLevel:Orleans"] = "Information";
        foreach (var (key, value) in redirect)
        {
            settings[key] = value;
        }

        Server = RegistryServer.With(settings, builder => builder.Logging.AddProvider(Logs));
        await Server.InitializeAsync();
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        await AzuriteSettings.DeleteContainerAsync(_container);
    }
}

public sealed class RedirectServer() : AzureRedirectServer(new() { ["Registry:Cluster:Azure:Redirect:Enabled"] = "true" });

public sealed class RedirectRangesServer() : AzureRedirectServer(new()
{
    ["Registry:Cluster:Azure:Redirect:Enabled"] = "true",
    ["Registry:Cluster:Azure:Redirect:RedirectRanges"] = "true",
    ["Registry:Cluster:Azure:Redirect:Lifetime"] = "00:02:00",
    ["Registry:Cluster:Azure:Redirect:ClockSkew"] = "00:01:00",
});

public sealed class NoRedirectServer() : AzureRedirectServer([]);

public sealed class BlobRedirectTests(RedirectServer fixture) : IClassFixture<RedirectServer>
{
    private readonly HttpClient _client = fixture.Client;
    private readonly HttpClient _plain = new();

    [Fact]
    public async Task Get_is_a_307_to_a_read_only_sas_url_that_serves_the_same_bytes()
    {
        var repo = OciClient.Unique("redirect");
        var data = OciClient.RandomBytes(200_000);
        var digest = await _client.PushBlobAsync(repo, data);

        var before = DateTimeOffset.UtcNow;
        using var response = await _client.GetAsync($"/v2/{repo}/blobs/{digest}");
        var after = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(digest, response.Header("Docker-Content-Digest"));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.True(response.Headers.CacheControl?.NoStore);

        var location = response.Headers.Location!;
        Assert.True(location.IsAbsoluteUri);
        Assert.StartsWith(AzuriteSettings.Endpoint + "/", location.AbsoluteUri);
        var query = HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("r", query["sp"]);
        Assert.Equal("b", query["sr"]);
        AssertBetween(DateTimeOffset.Parse(query["st"]!), before - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1), after - TimeSpan.FromMinutes(5));
        AssertBetween(DateTimeOffset.Parse(query["se"]!), before + TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1), after + TimeSpan.FromMinutes(5));

        Assert.Equal(data, await _plain.GetByteArrayAsync(location));
    }

    [Fact]
    public async Task A_client_that_follows_redirects_pulls_the_blob()
    {
        var repo = OciClient.Unique("redirect");
        var data = OciClient.RandomBytes(50_000);
        var digest = await _client.PushBlobAsync(repo, data);
        using var following = fixture.Server.CreateClient();
        Assert.Equal(data, await following.GetByteArrayAsync($"/v2/{repo}/blobs/{digest}"));
    }

    [Fact]
    public async Task Head_is_answered_by_the_registry()
    {
        var repo = OciClient.Unique("redirect");
        var digest = await _client.PushBlobAsync(repo, OciClient.RandomBytes(1234));
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Null(head.Headers.Location);
        Assert.Equal(1234, head.Content.Headers.ContentLength);
        Assert.Equal(digest, head.Header("Docker-Content-Digest"));
    }

    [Fact]
    public async Task Range_requests_are_answered_by_the_registry_unless_redirect_ranges_is_set()
    {
        var repo = OciClient.Unique("redirect");
        var data = OciClient.RandomBytes(10_000);
        var digest = await _client.PushBlobAsync(repo, data);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(100, 199);
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal(data.AsSpan(100, 100).ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_conditional_get_of_a_blob_the_client_has_is_304_not_a_redirect()
    {
        var repo = OciClient.Unique("redirect");
        var digest = await _client.PushBlobAsync(repo, OciClient.RandomBytes(100));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
        request.Headers.TryAddWithoutValidation("If-None-Match", $"\"{digest}\"");
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task The_signature_of_a_url_is_never_logged()
    {
        var repo = OciClient.Unique("redirect");
        var data = OciClient.RandomBytes(3000);
        var digest = await _client.PushBlobAsync(repo, data);
        var signatures = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await _client.GetAsync($"/v2/{repo}/blobs/{digest}");
            Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
            signatures.Add(HttpUtility.ParseQueryString(response.Headers.Location!.Query)["sig"]!);
            Assert.Equal(data, await _plain.GetByteArrayAsync(response.Headers.Location));
        }

        // The request logging of the host ran at every level for these requests ("Request finished" is
        // written once the response is sent, so it may come a moment after the client has it).
        bool Logged(string line) => line.Contains($"/v2/{repo}/blobs/{digest}", StringComparison.Ordinal) && line.Contains(" 307 ", StringComparison.Ordinal);
        for (var wait = 0; wait < 50 && fixture.Logs.Lines.Count(Logged) < 3; wait++)
        {
            await Task.Delay(100);
        }

        var lines = fixture.Logs.Lines.ToList();
        Assert.True(lines.Count(Logged) == 3, "request logs: " + string.Join("\n", lines.Where(line => line.Contains(repo, StringComparison.Ordinal))));
        foreach (var signature in signatures.Distinct())
        {
            Assert.DoesNotContain(lines, line => line.Contains(signature, StringComparison.Ordinal)
                || line.Contains(Uri.EscapeDataString(signature), StringComparison.Ordinal));
        }

        Assert.DoesNotContain(lines, line => line.Contains("sig=", StringComparison.OrdinalIgnoreCase));
    }

    private static void AssertBetween(DateTimeOffset value, DateTimeOffset low, DateTimeOffset high) =>
        Assert.True(value >= low && value <= high, $"{value:O} is not between {low:O} and {high:O}");
}

public sealed class BlobRedirectRangeTests(RedirectRangesServer fixture) : IClassFixture<RedirectRangesServer>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task A_range_is_redirected_and_storage_answers_it_with_206()
    {
        var repo = OciClient.Unique("redirect");
        var data = OciClient.RandomBytes(10_000);
        var digest = await _client.PushBlobAsync(repo, data);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
        request.Headers.Range = new RangeHeaderValue(100, 199);
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);

        // The configured lifetime and clock skew.
        var query = HttpUtility.ParseQueryString(response.Headers.Location!.Query);
        var span = DateTimeOffset.Parse(query["se"]!) - DateTimeOffset.Parse(query["st"]!);
        Assert.InRange(span, TimeSpan.FromMinutes(3) - TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(2));

        using var plain = new HttpClient();
        var follow = new HttpRequestMessage(HttpMethod.Get, response.Headers.Location);
        follow.Headers.Range = new RangeHeaderValue(100, 199);
        using var partial = await plain.SendAsync(follow);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(data.AsSpan(100, 100).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        // A client that follows the redirect sends the Range again.
        using var following = fixture.Server.CreateClient();
        var again = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
        again.Headers.Range = new RangeHeaderValue(5000, null);
        using var tail = await following.SendAsync(again);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(data.AsSpan(5000).ToArray(), await tail.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("bytes=-100", HttpStatusCode.PartialContent)]
    [InlineData("bytes=0-9,20-29", HttpStatusCode.OK)]
    [InlineData("bytes=20000-", HttpStatusCode.RequestedRangeNotSatisfiable)]
    public async Task Suffix_multiple_and_unsatisfiable_ranges_are_answered_by_the_registry(string range, HttpStatusCode expected)
    {
        var repo = OciClient.Unique("redirect");
        var digest = await _client.PushBlobAsync(repo, OciClient.RandomBytes(10_000));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repo}/blobs/{digest}");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await _client.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task A_get_without_range_is_redirected_too()
    {
        var repo = OciClient.Unique("redirect");
        var digest = await _client.PushBlobAsync(repo, OciClient.RandomBytes(100));
        using var response = await _client.GetAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
    }
}

public sealed class BlobNoRedirectTests(NoRedirectServer fixture) : IClassFixture<NoRedirectServer>
{
    [Fact]
    public async Task With_redirects_off_the_blob_streams_from_azure_through_the_registry()
    {
        var repo = OciClient.Unique("redirect");
        var data = OciClient.RandomBytes(100_000);
        var digest = await fixture.Client.PushBlobAsync(repo, data);
        using var response = await fixture.Client.GetAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
    }
}

public sealed class BlobRedirectConfigurationTests
{
    [Fact]
    public async Task The_filesystem_store_offers_no_redirects_so_blobs_stream_even_when_enabled()
    {
        await using var holder = new ServerHolder(RegistryServer.With(new() { ["Registry:Cluster:Azure:Redirect:Enabled"] = "true" }));
        await holder.Server.InitializeAsync();
        var store = holder.Server.Services.GetRequiredService<IBlobStore>();
        Assert.IsNotAssignableFrom<IBlobRedirects>(store);

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = holder.Server.BaseAddress };
        var repo = OciClient.Unique("redirect");
        var data = OciClient.RandomBytes(1000);
        var digest = await client.PushBlobAsync(repo, data);
        using var response = await client.GetAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_instrumented_store_offers_redirects_exactly_when_the_inner_store_does()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new RegistryMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var root = Path.Combine(Path.GetTempPath(), "orleans-registry-tests", Guid.NewGuid().ToString("N"));
        var files = InstrumentedBlobStore.Wrap(new FileSystemBlobStore(new FileSystemBlobStoreOptions { RootPath = root }), "filesystem", metrics);
        Assert.IsNotAssignableFrom<IBlobRedirects>(files);

        // Signing with the account key sends nothing: no storage service is needed here.
        var azure = InstrumentedBlobStore.Wrap(AzureBlobStore.Create(new AzureBlobStoreOptions
        {
            ConnectionString = AzuriteSettings.ConnectionString,
            ContainerName = "unused",
        }), "azureblob", metrics);
        var redirects = Assert.IsAssignableFrom<IBlobRedirects>(azure);
        var url = await redirects.GetReadUrlAsync(new BlobLocation("blobs/sha256/" + new string('d', 64)), TimeSpan.FromMinutes(1), default);
        Assert.NotNull(url);
        Assert.Contains("/unused/blobs/sha256/", url.AbsolutePath);
    }

    [Theory]
    [InlineData("Lifetime", "00:00:00")]
    [InlineData("Lifetime", "2.00:00:00")]
    [InlineData("ClockSkew", "-00:01:00")]
    [InlineData("ClockSkew", "02:00:00")]
    public void Impossible_redirect_settings_are_refused_at_start(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Registry:Cluster:Azure:Redirect:{key}"] = value,
        }).Build();
        var registry = configuration.GetSection(RegistryOptions.Section).Get<RegistryOptions>()!;
        var error = Assert.Throws<RegistryConfigurationException>(() => ProviderRegistration.Validate(registry, configuration));
        Assert.Contains($"Redirect:{key}", error.Message);
    }

    private sealed class ServerHolder(RegistryServer server) : IAsyncDisposable
    {
        public RegistryServer Server => server;

        public async ValueTask DisposeAsync() => await server.DisposeAsync();
    }
}
