using System.Net;
using System.Net.Http.Headers;
using OrleansRegistry.Server.RateLimiting;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.RateLimiting;

/// <summary>
/// A token-mode server with tiny limits that refill once an hour, so every permit a test takes
/// stays taken. Loopback is a trusted proxy (the default), so each test sends its own client
/// address in <c>X-Forwarded-For</c> and the tests do not share buckets.
/// </summary>
public sealed class RateLimitedServer : AuthServer
{
    public const int IdentifiedBurst = 5;
    public const int AnonymousBurst = 3;
    public const int TokenBurst = 6;
    public const int FailedLoginBurst = 2;

    protected override Dictionary<string, string> Settings() => new()
    {
        ["Registry:RateLimit:Enabled"] = "true",
        ["Registry:RateLimit:Identified:Permits"] = "1",
        ["Registry:RateLimit:Identified:Period"] = "01:00:00",
        ["Registry:RateLimit:Identified:Burst"] = $"{IdentifiedBurst}",
        ["Registry:RateLimit:Anonymous:Permits"] = "1",
        ["Registry:RateLimit:Anonymous:Period"] = "01:00:00",
        ["Registry:RateLimit:Anonymous:Burst"] = $"{AnonymousBurst}",
        ["Registry:RateLimit:TokenRequests:Permits"] = "1",
        ["Registry:RateLimit:TokenRequests:Period"] = "01:00:00",
        ["Registry:RateLimit:TokenRequests:Burst"] = $"{TokenBurst}",
        ["Registry:RateLimit:FailedLogins:Permits"] = "1",
        ["Registry:RateLimit:FailedLogins:Period"] = "01:00:00",
        ["Registry:RateLimit:FailedLogins:Burst"] = $"{FailedLoginBurst}",
    };
}

internal static class RateLimitClient
{
    private static int _next;

    /// <summary>A client address of its own (TEST-NET-2), for one test.</summary>
    public static string NewAddress()
    {
        var n = Interlocked.Increment(ref _next);
        return $"198.51.100.{1 + n % 250}";
    }

    public static async Task<HttpResponseMessage> SendFromAsync(
        this HttpClient client, string? address, HttpMethod method, string path, string? bearer = null, AuthenticationHeaderValue? authorization = null, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (address is not null)
        {
            request.Headers.Add("X-Forwarded-For", address);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        else if (authorization is not null)
        {
            request.Headers.Authorization = authorization;
        }

        return await client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> GetFromAsync(this HttpClient client, string? address, string path, string? bearer = null) =>
        client.SendFromAsync(address, HttpMethod.Get, path, bearer);

    public static async Task<string> TokenFromAsync(this HttpClient client, string address, string user, string password, string scope)
    {
        using var response = await client.SendFromAsync(address, HttpMethod.Get, $"/token?service=orleans-registry&scope={Uri.EscapeDataString(scope)}",
            authorization: AuthClient.Basic(user, password));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        return json.RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>A 429 with the OCI body TOOMANYREQUESTS and a Retry-After of whole seconds within the refill period.</summary>
    public static async Task AssertTooManyRequestsAsync(HttpResponseMessage response, int maxRetryAfterSeconds = 3600)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter;
        Assert.NotNull(retryAfter);
        Assert.NotNull(retryAfter.Delta);
        Assert.InRange(retryAfter.Delta.Value.TotalSeconds, 1, maxRetryAfterSeconds);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.MediaType);
        using var json = await response.ReadJsonAsync();
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal("TOOMANYREQUESTS", error.GetProperty("code").GetString());
        Assert.Equal((int)retryAfter.Delta.Value.TotalSeconds, error.GetProperty("detail").GetProperty("retryAfterSeconds").GetInt32());
    }
}

/// <summary>Rate limiting per client identity: token subject, else client address.</summary>
public sealed class RateLimitTests(RateLimitedServer fixture) : IClassFixture<RateLimitedServer>
{
    private RegistryServer Server => fixture.Server;

    [Fact]
    public async Task Anonymous_callers_are_limited_by_client_address_with_429_toomanyrequests_and_retry_after()
    {
        using var client = Server.CreateClient();
        var address = RateLimitClient.NewAddress();
        for (var i = 0; i < RateLimitedServer.AnonymousBurst; i++)
        {
            using var challenged = await client.GetFromAsync(address, "/v2/");
            Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        }

        using (var limited = await client.GetFromAsync(address, "/v2/team/app/tags/list"))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(limited);
        }

        // HEAD: the status and Retry-After, no body.
        using (var head = await client.SendFromAsync(address, HttpMethod.Head, "/v2/public/app/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, head.StatusCode);
            Assert.NotNull(head.Headers.RetryAfter);
        }

        // Another address has its own bucket.
        using var other = await client.GetFromAsync(RateLimitClient.NewAddress(), "/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task Two_identities_are_limited_independently_of_each_other_and_of_their_address()
    {
        using var client = Server.CreateClient();
        var tokenAddress = RateLimitClient.NewAddress();
        var alice = await client.TokenFromAsync(tokenAddress, "alice", "alice-pass", "repository:team/app:pull");
        var bob = await client.TokenFromAsync(tokenAddress, "bob", "bob-pass", "repository:team/app:pull");

        // Both call from one address whose anonymous bucket is already empty.
        var address = RateLimitClient.NewAddress();
        for (var i = 0; i < RateLimitedServer.AnonymousBurst; i++)
        {
            using var anonymous = await client.GetFromAsync(address, "/v2/");
        }

        using (var anonymousLimited = await client.GetFromAsync(address, "/v2/"))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(anonymousLimited);
        }

        for (var i = 0; i < RateLimitedServer.IdentifiedBurst; i++)
        {
            using var ok = await client.GetFromAsync(address, "/v2/", alice);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var aliceLimited = await client.GetFromAsync(address, "/v2/team/app/tags/list", alice))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(aliceLimited);
        }

        // From another address alice is still limited: the bucket is hers, not the address's.
        using (var aliceElsewhere = await client.GetFromAsync(RateLimitClient.NewAddress(), "/v2/", alice))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(aliceElsewhere);
        }

        // A second token of alice's shares her bucket.
        var aliceAgain = await client.TokenFromAsync(tokenAddress, "alice", "alice-pass", "repository:team/other:pull");
        using (var secondToken = await client.GetFromAsync(address, "/v2/", aliceAgain))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(secondToken);
        }

        for (var i = 0; i < RateLimitedServer.IdentifiedBurst; i++)
        {
            using var ok = await client.GetFromAsync(address, "/v2/", bob);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var bobLimited = await client.GetFromAsync(address, "/v2/", bob);
        await RateLimitClient.AssertTooManyRequestsAsync(bobLimited);
    }

    [Fact]
    public async Task An_invalid_token_is_charged_to_the_address_not_to_the_subject_it_claims()
    {
        using var client = Server.CreateClient();
        var alice = await client.TokenFromAsync(RateLimitClient.NewAddress(), "carol", "carol-pass", "repository:other/app:pull");
        var parts = alice.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA";
        var address = RateLimitClient.NewAddress();
        for (var i = 0; i < RateLimitedServer.AnonymousBurst; i++)
        {
            using var invalid = await client.GetFromAsync(address, "/v2/", forged);
            Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        }

        using (var limited = await client.GetFromAsync(address, "/v2/", forged))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(limited);
        }

        // carol's own bucket was not touched.
        using var carol = await client.GetFromAsync(address, "/v2/", alice);
        Assert.Equal(HttpStatusCode.OK, carol.StatusCode);
    }

    [Fact]
    public async Task Health_readiness_and_metrics_are_exempt()
    {
        using var client = Server.CreateClient();
        var address = RateLimitClient.NewAddress();
        for (var i = 0; i <= RateLimitedServer.AnonymousBurst; i++)
        {
            using var _ = await client.GetFromAsync(address, "/v2/");
        }

        using (var limited = await client.GetFromAsync(address, "/v2/"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        foreach (var path in new[] { "/healthz", "/readyz", "/metrics" })
        {
            for (var i = 0; i < 10; i++)
            {
                using var response = await client.GetFromAsync(address, path);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
    }

    [Fact]
    public async Task The_token_endpoint_is_not_charged_to_the_request_limits()
    {
        using var client = Server.CreateClient();
        var address = RateLimitClient.NewAddress();
        for (var i = 0; i < RateLimitedServer.AnonymousBurst + 1; i++)
        {
            using var _ = await client.GetFromAsync(address, "/v2/");
        }

        // The address's anonymous bucket is empty; its token requests (no bcrypt check) still get tokens.
        for (var i = 0; i < RateLimitedServer.TokenBurst * 3; i++)
        {
            using var ok = await client.GetFromAsync(address, "/token?service=orleans-registry&scope=repository:public/app:pull");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
    }

    [Fact]
    public async Task Failed_logins_block_further_logins_from_the_address_before_the_password_is_checked()
    {
        using var client = Server.CreateClient();
        var address = RateLimitClient.NewAddress();
        for (var i = 0; i < RateLimitedServer.FailedLoginBurst; i++)
        {
            using var wrong = await client.SendFromAsync(address, HttpMethod.Get, "/token?service=orleans-registry", authorization: AuthClient.Basic("alice", "guess-" + i));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Even the right password is refused now, in both forms.
        using (var right = await client.SendFromAsync(address, HttpMethod.Get, "/token?service=orleans-registry", authorization: AuthClient.Basic("alice", "alice-pass")))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(right);
        }

        using (var post = await client.SendFromAsync(address, HttpMethod.Post, "/token", content: new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "alice", ["password"] = "alice-pass", ["service"] = "orleans-registry",
        })))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(post);
        }

        // Anonymous tokens are still issued to that address (no credentials to guess).
        using (var anonymous = await client.GetFromAsync(address, "/token?service=orleans-registry&scope=repository:public/app:pull"))
        {
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        }

        // Another address logs in.
        using var elsewhere = await client.SendFromAsync(RateLimitClient.NewAddress(), HttpMethod.Get, "/token?service=orleans-registry", authorization: AuthClient.Basic("alice", "alice-pass"));
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Rejections_are_counted_by_kind_in_registry_rate_limited_total()
    {
        using var client = Server.CreateClient();
        var address = RateLimitClient.NewAddress();
        for (var i = 0; i <= RateLimitedServer.AnonymousBurst; i++)
        {
            using var _ = await client.GetFromAsync(address, "/v2/");
        }

        for (var i = 0; i <= RateLimitedServer.FailedLoginBurst; i++)
        {
            using var _ = await client.SendFromAsync(address, HttpMethod.Get, "/token?service=orleans-registry", authorization: AuthClient.Basic("alice", "guess-" + i));
        }

        bool Counted(PrometheusText m) =>
            m.Sum("registry_rate_limited_total", ("kind", "anonymous")) >= 1 && m.Sum("registry_rate_limited_total", ("kind", "failed_login")) >= 1;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        PrometheusText metrics;
        while (true)
        {
            using var response = await client.GetAsync("/metrics");
            metrics = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
            if (Counted(metrics) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250);
        }

        Assert.Equal("counter", metrics.Types["registry_rate_limited_total"]);
        Assert.True(metrics.Sum("registry_rate_limited_total", ("kind", "anonymous")) >= 1);
        Assert.True(metrics.Sum("registry_rate_limited_total", ("kind", "failed_login")) >= 1);
    }
}

/// <summary>X-Forwarded-For from an address outside Registry:TrustedProxyNetworks is ignored: every request counts as loopback's.</summary>
public sealed class UntrustedProxyRateLimitTests : IAsyncLifetime
{
    private RegistryServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = RegistryServer.With(new Dictionary<string, string>
        {
            ["Registry:TrustedProxyNetworks:0"] = "10.99.0.0/16",
            ["Registry:RateLimit:Enabled"] = "true",
            ["Registry:RateLimit:Anonymous:Permits"] = "1",
            ["Registry:RateLimit:Anonymous:Period"] = "01:00:00",
            ["Registry:RateLimit:Anonymous:Burst"] = "3",
        });
        await _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Forwarded_addresses_from_an_untrusted_peer_do_not_get_buckets_of_their_own()
    {
        using var client = _server.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.GetFromAsync(RateLimitClient.NewAddress(), "/v2/");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await client.GetFromAsync(RateLimitClient.NewAddress(), "/v2/");
        await RateLimitClient.AssertTooManyRequestsAsync(limited);
    }
}

/// <summary>With auth off everyone is anonymous; by default nobody is limited, and the switch turns request limits on.</summary>
public sealed class RateLimitDefaultsTests
{
    [Fact]
    public async Task By_default_one_address_is_not_limited_even_far_past_the_anonymous_burst()
    {
        await using var server = await StartAsync([]);
        using var client = server.Value.CreateClient();
        var defaults = new RateLimitOptions();
        var responses = await Task.WhenAll(Enumerable.Range(0, defaults.Anonymous.Burst * 3).Select(async _ =>
        {
            using var response = await client.GetAsync("/v2/");
            return response.StatusCode;
        }));
        Assert.All(responses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.False(defaults.Enabled);
        Assert.False(defaults.FailedLogins.IsOff);
        Assert.False(defaults.TokenRequests.IsOff);
    }

    [Fact]
    public async Task Enabled_true_turns_request_limits_on()
    {
        await using var server = await StartAsync(new Dictionary<string, string>
        {
            ["Registry:RateLimit:Enabled"] = "true",
            ["Registry:RateLimit:Anonymous:Permits"] = "1",
            ["Registry:RateLimit:Anonymous:Period"] = "01:00:00",
            ["Registry:RateLimit:Anonymous:Burst"] = "2",
        });
        using var client = server.Value.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.GetAsync("/v2/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var limited = await client.GetAsync("/v2/");
        await RateLimitClient.AssertTooManyRequestsAsync(limited);
    }

    [Theory]
    [InlineData(100, 1, 10, 100)]
    [InlineData(25, 1, 5, 200)]
    [InlineData(13, 1, 13, 1000)]
    [InlineData(10, 60, 1, 6000)]
    public void A_limit_is_refilled_in_up_to_ten_equal_steps(int permits, int periodSeconds, int tokensPerStep, int stepMilliseconds)
    {
        var bucket = RegistryRateLimiter.Bucket(new TokenBucketLimit { Permits = permits, Period = TimeSpan.FromSeconds(periodSeconds), Burst = 7 });
        Assert.Equal(tokensPerStep, bucket.TokensPerPeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(stepMilliseconds), bucket.ReplenishmentPeriod);
        Assert.Equal(7, bucket.TokenLimit);
        Assert.Equal(0, bucket.QueueLimit);
    }

    private static async Task<Started> StartAsync(Dictionary<string, string> settings)
    {
        var server = RegistryServer.With(settings);
        await server.InitializeAsync();
        return new Started(server);
    }

    private sealed class Started(RegistryServer server) : IAsyncDisposable
    {
        public RegistryServer Value => server;

        public async ValueTask DisposeAsync() => await server.DisposeAsync();
    }
}
