using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OrleansRegistry.Server.Auth;

/// <summary>What a validated token says.</summary>
/// <param name="Subject">The user or robot; null for an anonymous token.</param>
/// <param name="Stamp">For a refresh token: the credential stamp it was issued against.</param>
public sealed record TokenClaims(
    string? Subject, string Issuer, IReadOnlyList<AccessScope> Access, DateTimeOffset ExpiresAt, bool IsRefresh, string? Stamp)
{
    /// <summary>Whether the token grants <paramref name="action"/> on the resource.</summary>
    public bool Allows(string type, string name, string action) =>
        Access.Any(a => a.Type == type && a.Name == name && a.Allows(action));
}

/// <summary>An issued access token as the token endpoint returns it.</summary>
public sealed record IssuedToken(string Token, DateTimeOffset IssuedAt, int ExpiresIn, IReadOnlyList<AccessScope> Access);

/// <summary>The result of <see cref="TokenService.Validate"/>: claims, or why not.</summary>
public readonly record struct TokenValidation(TokenClaims? Claims, string? Error)
{
    public bool IsValid => Claims is not null;
}

/// <summary>
/// Issues and validates the registry's JWTs (Docker token spec: <c>access</c> claim of
/// <c>{type,name,actions}</c>; <c>aud</c> is the service; <c>kid</c> names the key). Lifetimes are
/// checked here against the <see cref="TimeProvider"/> with <see cref="AuthOptions.ClockSkew"/>;
/// a validated token is cached until it expires, so a pull of many blobs verifies its signature once.
/// </summary>
public sealed class TokenService
{
    private const int MaxCachedTokens = 10_000;
    private const string TokenUse = "token_use";
    private const string RefreshUse = "refresh";

    private readonly AuthOptions _options;
    private readonly SigningKeys _keys;
    private readonly Dictionary<string, IReadOnlyList<SecurityKey>> _externalKeys;
    private readonly TimeProvider _clock;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly ConcurrentDictionary<string, TokenClaims> _validated = new(StringComparer.Ordinal);

    public TokenService(AuthOptions options, SigningKeys keys, TimeProvider clock)
    {
        _options = options;
        _keys = keys;
        _clock = clock;
        _externalKeys = LoadTrustedIssuers(options);
    }

    public string Service => _options.Service;

    /// <summary>Number of validated tokens held in the cache (for tests and metrics).</summary>
    public int CachedTokens => _validated.Count;

    public IssuedToken IssueAccess(string? subject, IReadOnlyList<AccessScope> access)
    {
        var now = Now();
        var lifetime = _options.TokenLifetime < TimeSpan.FromSeconds(60) ? TimeSpan.FromSeconds(60) : _options.TokenLifetime;
        var token = Sign(subject, now, now + lifetime, json =>
        {
            json.WriteStartArray("access");
            foreach (var scope in access)
            {
                scope.WriteTo(json);
            }

            json.WriteEndArray();
        });
        return new IssuedToken(token, now, (int)lifetime.TotalSeconds, access);
    }

    public string IssueRefresh(string subject, string stamp)
    {
        var now = Now();
        return Sign(subject, now, now + _options.RefreshTokenLifetime, json =>
        {
            json.WriteString(TokenUse, RefreshUse);
            json.WriteString("stamp", stamp);
        });
    }

    private string Sign(string? subject, DateTimeOffset now, DateTimeOffset expires, Action<Utf8JsonWriter> extra)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("iss", _options.Issuer);
            json.WriteString("sub", subject ?? "");
            json.WriteString("aud", _options.Service);
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
            json.WriteNumber("nbf", now.ToUnixTimeSeconds());
            json.WriteNumber("iat", now.ToUnixTimeSeconds());
            json.WriteString("jti", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
            extra(json);
            json.WriteEndObject();
        }

        return _handler.CreateToken(Encoding.UTF8.GetString(buffer.ToArray()), _keys.Credentials);
    }

    /// <summary>Validates signature, issuer, audience and lifetime. Cached until expiry when valid.</summary>
    public async ValueTask<TokenValidation> ValidateAsync(string token)
    {
        var now = Now();
        if (_validated.TryGetValue(token, out var cached))
        {
            if (cached.ExpiresAt + _options.ClockSkew > now)
            {
                return new TokenValidation(cached, null);
            }

            _validated.TryRemove(token, out _);
            return new TokenValidation(null, "the token has expired");
        }

        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(token);
        }
        catch (Exception error) when (error is ArgumentException or SecurityTokenException)
        {
            return new TokenValidation(null, "malformed token");
        }

        IReadOnlyList<SecurityKey> keys;
        if (jwt.Issuer == _options.Issuer)
        {
            keys = _keys.ValidationKeys;
        }
        else if (!_externalKeys.TryGetValue(jwt.Issuer ?? "", out keys!))
        {
            return new TokenValidation(null, "unknown issuer");
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = _options.Service,
            IssuerSigningKeys = keys,
            ValidateLifetime = false,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256],
        };
        var result = await _handler.ValidateTokenAsync(jwt, parameters);
        if (!result.IsValid)
        {
            return new TokenValidation(null, result.Exception is SecurityTokenInvalidAudienceException ? "the token is for another service" : "invalid token");
        }

        if (!jwt.TryGetPayloadValue<long>("exp", out var exp))
        {
            return new TokenValidation(null, "the token has no expiry");
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        if (expires + _options.ClockSkew <= now)
        {
            return new TokenValidation(null, "the token has expired");
        }

        if (jwt.TryGetPayloadValue<long>("nbf", out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) - _options.ClockSkew > now)
        {
            return new TokenValidation(null, "the token is not valid yet");
        }

        var claims = ReadClaims(jwt, expires);
        if (_validated.Count >= MaxCachedTokens)
        {
            _validated.Clear();
        }

        _validated[token] = claims;
        return new TokenValidation(claims, null);
    }

    private static TokenClaims ReadClaims(JsonWebToken jwt, DateTimeOffset expires)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var root = payload.RootElement;
        var access = new List<AccessScope>();
        if (root.TryGetProperty("access", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            access.AddRange(list.EnumerateArray().Select(AccessScope.ReadFrom).OfType<AccessScope>());
        }

        var subject = root.TryGetProperty("sub", out var sub) && sub.ValueKind == JsonValueKind.String && sub.GetString() is { Length: > 0 } s ? s : null;
        var isRefresh = root.TryGetProperty(TokenUse, out var use) && use.ValueKind == JsonValueKind.String && use.GetString() == RefreshUse;
        var stamp = root.TryGetProperty("stamp", out var st) && st.ValueKind == JsonValueKind.String ? st.GetString() : null;
        return new TokenClaims(subject, jwt.Issuer, access, expires, isRefresh, stamp);
    }

    private DateTimeOffset Now()
    {
        var now = _clock.GetUtcNow();
        return DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
    }

    private static Dictionary<string, IReadOnlyList<SecurityKey>> LoadTrustedIssuers(AuthOptions options)
    {
        var result = new Dictionary<string, IReadOnlyList<SecurityKey>>(StringComparer.Ordinal);
        foreach (var issuer in options.TrustedIssuers)
        {
            if (string.IsNullOrWhiteSpace(issuer.Issuer) || issuer.Issuer == options.Issuer)
            {
                throw new AuthConfigurationException("every Registry:Auth:TrustedIssuers entry needs an Issuer other than Registry:Auth:Issuer");
            }

            var keys = new List<SecurityKey>();
            if (!string.IsNullOrWhiteSpace(issuer.PublicKeyPath))
            {
                keys.Add(SigningKeys.LoadPem(issuer.PublicKeyPath, requirePrivate: false));
            }

            if (!string.IsNullOrWhiteSpace(issuer.JwksPath))
            {
                try
                {
                    keys.AddRange(new JsonWebKeySet(File.ReadAllText(issuer.JwksPath)).GetSigningKeys());
                }
                catch (Exception error) when (error is IOException or ArgumentException or JsonException)
                {
                    throw new AuthConfigurationException($"cannot read the JWKS of {issuer.Issuer} from {issuer.JwksPath}: {error.Message}", error);
                }
            }

            if (keys.Count == 0)
            {
                throw new AuthConfigurationException($"trusted issuer {issuer.Issuer} has neither PublicKeyPath nor JwksPath");
            }

            result[issuer.Issuer] = keys;
        }

        return result;
    }
}
