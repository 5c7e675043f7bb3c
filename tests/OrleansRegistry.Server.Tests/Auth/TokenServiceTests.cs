using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using OrleansRegistry.Server.Auth;

namespace OrleansRegistry.Server.Tests.Auth;

public sealed class TokenServiceTests
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static SecurityKey NewEcKey() => SigningKeys.FromPem(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(), requirePrivate: true);

    private static (TokenService Service, ManualClock Clock) Create(SecurityKey? key = null, AuthOptions? options = null, params SecurityKey[] rotation)
    {
        key ??= NewEcKey();
        var clock = new ManualClock(Start);
        options ??= new AuthOptions { ClockSkew = TimeSpan.FromSeconds(5), TokenLifetime = TimeSpan.FromMinutes(5) };
        return (new TokenService(options, new SigningKeys(key, [key, .. rotation]), clock), clock);
    }

    private static JsonElement Part(string token, int index) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[index])).RootElement;

    [Fact]
    public async Task An_issued_token_validates_and_carries_exactly_its_access()
    {
        var (tokens, _) = Create();
        var access = new[] { new AccessScope("repository", "team/app", ["pull", "push"]) };
        var issued = tokens.IssueAccess("alice", access);
        Assert.Equal(300, issued.ExpiresIn);

        var header = Part(issued.Token, 0);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.False(string.IsNullOrEmpty(header.GetProperty("kid").GetString()));
        var payload = Part(issued.Token, 1);
        Assert.Equal("orleans-registry", payload.GetProperty("aud").GetString());
        Assert.Equal("alice", payload.GetProperty("sub").GetString());

        var result = await tokens.ValidateAsync(issued.Token);
        Assert.True(result.IsValid, result.Error);
        Assert.Equal("alice", result.Claims!.Subject);
        Assert.False(result.Claims.IsRefresh);
        Assert.True(result.Claims.Allows("repository", "team/app", "push"));
        Assert.False(result.Claims.Allows("repository", "team/app", "delete"));
        Assert.False(result.Claims.Allows("repository", "team/other", "pull"));
    }

    [Fact]
    public void The_kid_is_the_same_for_the_same_key_file()
    {
        var pem = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();
        Assert.Equal(SigningKeys.FromPem(pem, true).KeyId, SigningKeys.FromPem(pem, true).KeyId);
        Assert.NotEqual(SigningKeys.FromPem(pem, true).KeyId, NewEcKey().KeyId);
    }

    [Fact]
    public async Task An_rsa_key_signs_rs256()
    {
        var key = SigningKeys.FromPem(RSA.Create(2048).ExportPkcs8PrivateKeyPem(), requirePrivate: true);
        var (tokens, _) = Create(key);
        var issued = tokens.IssueAccess(null, []);
        Assert.Equal("RS256", Part(issued.Token, 0).GetProperty("alg").GetString());
        Assert.True((await tokens.ValidateAsync(issued.Token)).IsValid);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_is_rejected()
    {
        var (mine, _) = Create();
        var (forger, _) = Create();
        var forged = forger.IssueAccess("alice", [new AccessScope("repository", "team/app", ["pull"])]);
        Assert.False((await mine.ValidateAsync(forged.Token)).IsValid);
    }

    [Fact]
    public async Task A_tampered_payload_is_rejected()
    {
        var (tokens, _) = Create();
        var token = tokens.IssueAccess("bob", [new AccessScope("repository", "team/app", ["pull"])]).Token;
        var parts = token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("\"pull\"", "\"push\"");
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        Assert.False((await tokens.ValidateAsync(tampered)).IsValid);
        Assert.False((await tokens.ValidateAsync("not.a.token")).IsValid);
        Assert.False((await tokens.ValidateAsync("")).IsValid);
    }

    [Fact]
    public async Task A_token_for_another_service_is_rejected()
    {
        var key = NewEcKey();
        var (other, _) = Create(key, new AuthOptions { Service = "other-registry" });
        var (mine, _) = Create(key);
        var result = await mine.ValidateAsync(other.IssueAccess("alice", []).Token);
        Assert.False(result.IsValid);
        Assert.Contains("another service", result.Error);
    }

    [Fact]
    public async Task A_token_of_an_unknown_issuer_is_rejected()
    {
        var key = NewEcKey();
        var (other, _) = Create(key, new AuthOptions { Issuer = "somebody-else" });
        var (mine, _) = Create(key);
        Assert.Equal("unknown issuer", (await mine.ValidateAsync(other.IssueAccess("alice", []).Token)).Error);
    }

    [Fact]
    public async Task The_previous_key_still_validates_during_a_rotation()
    {
        var oldKey = NewEcKey();
        var (before, _) = Create(oldKey);
        var token = before.IssueAccess("alice", []).Token;

        var (afterRotation, _) = Create(NewEcKey(), null, oldKey);
        Assert.True((await afterRotation.ValidateAsync(token)).IsValid);

        var (withoutOld, _) = Create(NewEcKey());
        Assert.False((await withoutOld.ValidateAsync(token)).IsValid);
    }

    [Fact]
    public async Task Expiry_allows_the_configured_clock_skew_and_no_more()
    {
        var (tokens, clock) = Create();
        var token = tokens.IssueAccess("alice", []).Token;
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(4));
        Assert.True((await tokens.ValidateAsync(token)).IsValid);

        clock.Advance(TimeSpan.FromSeconds(2));
        var late = await tokens.ValidateAsync(token);
        Assert.False(late.IsValid);
        Assert.Contains("expired", late.Error);
    }

    [Fact]
    public async Task Expiry_is_checked_even_for_a_token_held_in_the_cache()
    {
        var (tokens, clock) = Create();
        var token = tokens.IssueAccess("alice", []).Token;
        Assert.True((await tokens.ValidateAsync(token)).IsValid);
        Assert.Equal(1, tokens.CachedTokens);
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.False((await tokens.ValidateAsync(token)).IsValid);
    }

    [Fact]
    public async Task A_token_from_the_future_is_accepted_only_within_the_skew()
    {
        var key = NewEcKey();
        var (issuer, issuerClock) = Create(key);
        var (validator, _) = Create(key);
        issuerClock.Advance(TimeSpan.FromSeconds(4));
        Assert.True((await validator.ValidateAsync(issuer.IssueAccess("a", []).Token)).IsValid);
        issuerClock.Advance(TimeSpan.FromSeconds(10));
        var early = await validator.ValidateAsync(issuer.IssueAccess("a", []).Token);
        Assert.False(early.IsValid);
        Assert.Contains("not valid yet", early.Error);
    }

    [Fact]
    public async Task A_refresh_token_says_so_and_carries_the_stamp()
    {
        var (tokens, _) = Create();
        var refresh = await tokens.ValidateAsync(tokens.IssueRefresh("alice", "stamp-1"));
        Assert.True(refresh.IsValid);
        Assert.True(refresh.Claims!.IsRefresh);
        Assert.Equal("stamp-1", refresh.Claims.Stamp);
        Assert.Empty(refresh.Claims.Access);
    }

    [Fact]
    public async Task A_trusted_external_issuer_is_accepted_with_its_public_key()
    {
        using var external = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicPem = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(publicPem, external.ExportSubjectPublicKeyInfoPem());
            var externalKey = SigningKeys.FromPem(external.ExportPkcs8PrivateKeyPem(), true);
            var (issuer, _) = Create(externalKey, new AuthOptions { Issuer = "corp-idp" });
            var (mine, _) = Create(null, new AuthOptions
            {
                TrustedIssuers = [new TrustedIssuerOptions { Issuer = "corp-idp", PublicKeyPath = publicPem }],
            });
            var result = await mine.ValidateAsync(issuer.IssueAccess("ci", [new AccessScope("repository", "team/app", ["pull"])]).Token);
            Assert.True(result.IsValid, result.Error);
            Assert.Equal("corp-idp", result.Claims!.Issuer);
            Assert.True(result.Claims.Allows("repository", "team/app", "pull"));
        }
        finally
        {
            File.Delete(publicPem);
        }
    }

    [Fact]
    public void Cluster_mode_refuses_a_generated_key()
    {
        var error = Assert.Throws<AuthConfigurationException>(() =>
            SigningKeys.Load(new AuthOptions { RequireConfiguredKey = true }, Path.GetTempPath()));
        Assert.Contains("SigningKeyPath", error.Message);
    }

    [Fact]
    public void The_embedded_default_generates_a_key_once_and_keeps_it()
    {
        var data = Path.Combine(Path.GetTempPath(), "orleans-registry-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var first = SigningKeys.Load(new AuthOptions(), data);
            Assert.NotNull(first.GeneratedPath);
            var second = SigningKeys.Load(new AuthOptions(), data);
            Assert.Null(second.GeneratedPath);
            Assert.Equal(first.SigningKey.KeyId, second.SigningKey.KeyId);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.GeneratedPath!));
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
