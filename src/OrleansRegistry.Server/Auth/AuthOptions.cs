namespace OrleansRegistry.Server.Auth;

/// <summary>How the registry authenticates callers.</summary>
public enum AuthMode
{
    /// <summary>Everyone may do everything (the local default; a warning is logged at start).</summary>
    None,

    /// <summary>Docker token authentication: a built-in token endpoint issues signed JWTs carrying the granted scopes.</summary>
    Token,
}

/// <summary>The <c>Registry:Auth</c> configuration section. Every key is listed in docs/configuration.md.</summary>
public sealed class AuthOptions
{
    public const string Section = "Registry:Auth";

    /// <summary>None or Token. Unset: Token when <see cref="ConfigPath"/> is set, None otherwise.</summary>
    public AuthMode? Mode { get; set; }

    /// <summary>A JSON file of users, robots and namespaces (examples/auth/auth.json), applied at every start.</summary>
    public string? ConfigPath { get; set; }

    /// <summary>An htpasswd file (bcrypt entries only) whose users are added at start, as if declared in the configuration file.</summary>
    public string? HtpasswdPath { get; set; }

    /// <summary>The <c>service</c> of the challenge and the audience of every token. Default <c>orleans-registry</c>.</summary>
    public string Service { get; set; } = "orleans-registry";

    /// <summary>The <c>iss</c> of tokens this registry issues. Default <c>orleans-registry</c>.</summary>
    public string Issuer { get; set; } = "orleans-registry";

    /// <summary>Path of the token endpoint; the challenge's realm is this path on the host the client reached. Default <c>/token</c>.</summary>
    public string TokenPath { get; set; } = "/token";

    /// <summary>Lifetime of an access token. Default 5 minutes (the spec asks for at least 60 seconds).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of a refresh token (offline_token / OAuth2). Default 7 days; a password change ends it earlier.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Clock difference tolerated when checking a token's exp and nbf. Default 10 seconds.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// PEM private key (EC P-256 for ES256, or RSA for RS256) that signs tokens. Unset: the embedded
    /// default generates one on first start in <c>DataPath/auth/signing-key.pem</c>.
    /// </summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>Further PEM keys (public or private) accepted for validation only: the previous key during a rotation.</summary>
    public List<string> ValidationKeyPaths { get; set; } = [];

    /// <summary>Refuse to start without <see cref="SigningKeyPath"/>. Cluster mode sets it: every silo must validate every silo's tokens.</summary>
    public bool RequireConfiguredKey { get; set; }

    /// <summary>Tokens of other issuers that are accepted, each with its public key or JWKS file.</summary>
    public List<TrustedIssuerOptions> TrustedIssuers { get; set; } = [];

    /// <summary>bcrypt work factor for passwords hashed by the registry (admin API, plain passwords in the configuration file). Default 10.</summary>
    public int BcryptCost { get; set; } = 10;

    /// <summary>
    /// How long a verified user name and password are remembered (in memory, as a SHA-256 keyed by the
    /// stored hash), so that a token request does not pay bcrypt every time. Default 60 seconds; zero disables.
    /// </summary>
    public TimeSpan CredentialCacheDuration { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>An external token issuer whose tokens are accepted.</summary>
public sealed class TrustedIssuerOptions
{
    /// <summary>The <c>iss</c> of its tokens.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>PEM public key (EC or RSA).</summary>
    public string? PublicKeyPath { get; set; }

    /// <summary>A JWKS document (<c>{"keys":[...]}</c>) saved to a file.</summary>
    public string? JwksPath { get; set; }
}
