using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.RateLimiting;
using OrleansRegistry.Server.Telemetry;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// The token endpoint (<see cref="AuthOptions.TokenPath"/>). GET: the Docker token spec (HTTP basic
/// credentials or none for anonymous; several <c>scope</c> parameters; <c>offline_token=true</c>
/// adds a <c>refresh_token</c>). POST: the OAuth2 form containerd tries first
/// (<c>grant_type=password</c> or <c>refresh_token</c>; a refresh re-checks the current grants).
/// A token carries only what was both asked for and granted.
/// </summary>
public sealed class TokenEndpoint(
    AuthSettings settings, TokenService tokens, AuthDirectory directory, CredentialVerifier credentials,
    TimeProvider clock, RegistryMetrics metrics, RegistryRateLimiter limiter, ILogger<TokenEndpoint> logger)
{
    private AuthOptions Options => settings.Options;

    public async Task GetAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!ServiceMatches(query["service"].ToString()))
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "unknown service");
            return;
        }

        var policy = await directory.GetPolicyAsync();
        Authenticated? caller = null;
        if (AuthorizationHeader.TryReadBasic(context.Request, out var name, out var password))
        {
            if (await LoginBlockedAsync(context))
            {
                return;
            }

            caller = VerifyLimited(context, policy, name, password, out var throttled);
            if (throttled is not null)
            {
                await RateLimitMiddleware.RejectAsync(context, throttled.Value);
                return;
            }

            if (caller is null)
            {
                LoginFailed(context, name, "GET");
                context.Response.Headers[HeaderNames.WWWAuthenticate] = $"Basic realm=\"{Options.Service}\"";
                await WriteOAuthErrorAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "invalid user name or password");
                return;
            }
        }
        else if (context.Request.Headers.Authorization.Count > 0)
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "only Basic credentials are accepted here");
            return;
        }

        var requested = query["scope"].SelectMany(s => AccessScope.ParseMany(s)).ToList();
        var issued = tokens.IssueAccess(caller?.Subject, policy.GrantAll(caller?.Subject, requested, clock.GetUtcNow()));
        var offline = string.Equals(query["offline_token"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        var refresh = offline && caller is not null ? tokens.IssueRefresh(caller.Subject, caller.Stamp) : null;
        await WriteTokenAsync(context, issued, refresh, includeScope: false);
    }

    public async Task PostAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "expected application/x-www-form-urlencoded");
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!ServiceMatches(form["service"].ToString()))
        {
            await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_request", "unknown service");
            return;
        }

        var requested = form["scope"].SelectMany(s => AccessScope.ParseMany(s)).ToList();
        var grantType = form["grant_type"].ToString();
        if (grantType is "password" or "refresh_token" && await LoginBlockedAsync(context))
        {
            return;
        }

        var policy = await directory.GetPolicyAsync();
        var now = clock.GetUtcNow();
        switch (grantType)
        {
            case "password":
            {
                var name = form["username"].ToString();
                RateLimitRejection? throttled = null;
                var caller = name.Length == 0 ? null : VerifyLimited(context, policy, name, form["password"].ToString(), out throttled);
                if (throttled is not null)
                {
                    await RateLimitMiddleware.RejectAsync(context, throttled.Value);
                    return;
                }

                if (caller is null)
                {
                    LoginFailed(context, name, "POST password");
                    await WriteOAuthErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_grant", "invalid user name or password");
                    return;
                }

                var issued = tokens.IssueAccess(caller.Subject, policy.GrantAll(caller.Subject, requested, now));
                var offline = string.Equals(form["access_type"].ToString(), "offline", StringComparison.OrdinalIgnoreCase);
                await WriteTokenAsync(context, issued, offline ? tokens.IssueRefresh(caller.Subject, caller.Stamp) : null, includeScope: true);
                return;
            }

            case "refresh_token":
            {
                var validation = await tokens.ValidateAsync(form["refresh_token"].ToString());
                if (validation.Claims is not { IsRefresh: true, Subject: { } subject, Stamp: { } stamp } claims
                    || claims.Issuer != Options.Issuer
                    || !policy.IsCurrent(subject, stamp, now))
                {
                    LoginFailed(context, validation.Claims?.Subject ?? "", "POST refresh_token");
                    await WriteOAuthErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_grant", "the refresh token is invalid, expired or revoked");
                    return;
                }

                var issued = tokens.IssueAccess(subject, policy.GrantAll(subject, requested, now));
                await WriteTokenAsync(context, issued, form["refresh_token"].ToString(), includeScope: true);
                return;
            }

            default:
                await WriteOAuthErrorAsync(context, StatusCodes.Status400BadRequest, "unsupported_grant_type", "grant_type must be password or refresh_token");
                return;
        }
    }

    /// <summary>
    /// Verifies credentials, charging the client address's token-request bucket only when that costs a
    /// bcrypt check; <paramref name="throttled"/> is set when the bucket is empty (nothing was checked).
    /// </summary>
    private Authenticated? VerifyLimited(HttpContext context, AccessPolicy policy, string name, string password, out RateLimitRejection? throttled)
    {
        var address = ClientAddress.Of(context);
        RateLimitRejection? rejection = null;
        var caller = credentials.Verify(policy, name, password,
            () => (rejection = limiter.TryAcquire(RateLimitKind.TokenRequest, address)) is null, out var refused);
        throttled = refused ? rejection ?? new RateLimitRejection(RateLimitKind.TokenRequest, TimeSpan.FromSeconds(1)) : null;
        return caller;
    }

    private bool ServiceMatches(string service) => service.Length == 0 || service == Options.Service;

    /// <summary>A security event: who (never the password), from where, how. Charged to the address's failed logins.</summary>
    private void LoginFailed(HttpContext context, string name, string form)
    {
        metrics.AuthFailure("bad_credentials");
        context.Features.Set(new RequestActor(new EventActor { Name = Sanitize(name), Kind = ActorKinds.User }));
        var address = ClientAddress.Of(context);
        logger.LogWarning(new EventId(4001, "SecurityLoginFailed"),
            "security: failed login for {User} from {Address} ({Form})",
            Sanitize(name), address, form);
        if (limiter.LoginFailed(address))
        {
            logger.LogWarning(new EventId(4002, "SecurityLoginsBlocked"),
                "security: too many failed logins from {Address}; its logins are refused (429) until Registry:RateLimit:FailedLogins lets them through again",
                address);
        }
    }

    /// <summary>Answers 429 when the client address used up its failed logins (before any password is checked).</summary>
    private async ValueTask<bool> LoginBlockedAsync(HttpContext context)
    {
        if (limiter.LoginBlocked(ClientAddress.Of(context)) is not { } rejection)
        {
            return false;
        }

        await RateLimitMiddleware.RejectAsync(context, rejection);
        return true;
    }

    private static string Sanitize(string value)
    {
        var clean = new string([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return clean.Length == 0 ? "(none)" : clean;
    }

    private static async Task WriteTokenAsync(HttpContext context, IssuedToken issued, string? refresh, bool includeScope)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("token", issued.Token);
            json.WriteString("access_token", issued.Token);
            json.WriteNumber("expires_in", issued.ExpiresIn);
            json.WriteString("issued_at", issued.IssuedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"));
            if (refresh is not null)
            {
                json.WriteString("refresh_token", refresh);
            }

            if (includeScope)
            {
                json.WriteString("scope", string.Join(' ', issued.Access.Select(a => a.ToString())));
            }

            json.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    private static async Task WriteOAuthErrorAsync(HttpContext context, int status, string error, string description)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["error"] = error,
            ["error_description"] = description,
            ["errors"] = new[] { new { code = status == 401 ? "UNAUTHORIZED" : "DENIED", message = description } },
        });
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
