using OrleansRegistry.Server.RateLimiting;

namespace OrleansRegistry.Server.Auth;

/// <summary>The request limits' view of token authentication: a valid access token's subject, the token endpoint exempt.</summary>
public sealed class TokenRateLimitIdentity(AuthSettings auth, TokenService tokens) : IRateLimitIdentity
{
    public bool IsExempt(HttpContext context) => context.Request.Path.Equals(auth.Options.TokenPath, StringComparison.Ordinal);

    public async ValueTask<string?> SubjectAsync(HttpContext context)
    {
        if (!AuthorizationHeader.TryReadBearer(context.Request, out var token))
        {
            return null;
        }

        // Validated tokens are cached, so the access check after this costs nothing more.
        var validation = await tokens.ValidateAsync(token);
        return validation.Claims is { IsRefresh: false, Subject: { } subject } claims ? $"{claims.Issuer}\n{subject}" : null;
    }
}
