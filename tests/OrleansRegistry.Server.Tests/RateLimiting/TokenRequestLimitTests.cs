using System.Net;
using Microsoft.Extensions.Logging;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.RateLimiting;

/// <summary>
/// A token-mode server with the default configuration, but for a tiny bcrypt bucket (3 an hour)
/// and a generous failed-login one, so that the token-request limit is seen on its own.
/// Request limits stay off (the default); the startup log is captured.
/// </summary>
public sealed class TokenRequestLimitServer : AuthServer
{
    public const int BcryptBurst = 3;

    public CapturingLoggerProvider Logs { get; } = new();

    protected override Dictionary<string, string> Settings() => new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Registry:RateLimit:TokenRequests:Permits"] = "1",
        ["Registry:RateLimit:TokenRequests:Period"] = "01:00:00",
        ["Registry:RateLimit:TokenRequests:Burst"] = $"{BcryptBurst}",
        ["Registry:RateLimit:FailedLogins:Permits"] = "1",
        ["Registry:RateLimit:FailedLogins:Period"] = "01:00:00",
        ["Registry:RateLimit:FailedLogins:Burst"] = "1000",
    };

    protected override void Configure(WebApplicationBuilder builder) => builder.Logging.AddProvider(Logs);
}

/// <summary>The token endpoint limits only requests that cost a bcrypt check, per client address.</summary>
public sealed class TokenRequestLimitTests(TokenRequestLimitServer fixture) : IClassFixture<TokenRequestLimitServer>
{
    private RegistryServer Server => fixture.Server;

    [Fact]
    public async Task A_thousand_kubelets_behind_one_address_all_get_anonymous_and_cached_credential_tokens()
    {
        using var client = Server.CreateClient();
        var address = RateLimitClient.NewAddress();

        // One bcrypt check for carol's pull secret; afterwards it is remembered.
        await client.TokenFromAsync(address, "carol", "carol-pass", "repository:other/app:push");
        var bcrypt = Server.Services.GetRequiredService<CredentialVerifier>().BcryptVerifications;

        using var gate = new SemaphoreSlim(64);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await client.SendFromAsync(address, HttpMethod.Get,
                    "/token?service=orleans-registry&scope=repository:public/app:pull",
                    authorization: i % 2 == 0 ? AuthClient.Basic("carol", "carol-pass") : null);
                return response.StatusCode;
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(bcrypt, Server.Services.GetRequiredService<CredentialVerifier>().BcryptVerifications);
    }

    [Fact]
    public async Task Requests_that_cost_a_bcrypt_check_are_limited_per_address()
    {
        using var client = Server.CreateClient();
        var address = RateLimitClient.NewAddress();

        // Unknown users cost a bcrypt check too (so that they cost what a wrong password costs).
        for (var i = 0; i < TokenRequestLimitServer.BcryptBurst; i++)
        {
            using var unknown = await client.SendFromAsync(address, HttpMethod.Get, "/token?service=orleans-registry",
                authorization: AuthClient.Basic($"nobody-{i}", "guess"));
            Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        }

        // The bucket is empty: a login that needs bcrypt is refused before it is checked, in both forms.
        using (var limited = await client.SendFromAsync(address, HttpMethod.Get, "/token?service=orleans-registry",
            authorization: AuthClient.Basic("bob", "bob-pass")))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(limited);
        }

        using (var post = await client.SendFromAsync(address, HttpMethod.Post, "/token", content: new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "bob", ["password"] = "bob-pass", ["service"] = "orleans-registry",
        })))
        {
            await RateLimitClient.AssertTooManyRequestsAsync(post);
        }

        // Anonymous tokens cost no bcrypt check and are still issued to the address; another address logs in.
        using (var anonymous = await client.GetFromAsync(address, "/token?service=orleans-registry&scope=repository:public/app:pull"))
        {
            Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        }

        await client.TokenFromAsync(RateLimitClient.NewAddress(), "bob", "bob-pass", "repository:team/app:pull");
    }

    [Fact]
    public void The_startup_log_says_which_limits_are_on() =>
        Assert.Contains(fixture.Logs.Lines, line =>
            line.Contains("request limits are off (Registry:RateLimit:Enabled=false)", StringComparison.Ordinal));
}
