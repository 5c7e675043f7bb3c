using OrleansRegistry.Core.References;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Grains.Auth;
using OrleansRegistry.Contracts.Auth;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// The admin API under <c>/api/v1/</c>: users, robot accounts, namespaces (visibility) and role
/// grants, persisted in the directory grain. Only registry admins (users with <c>admin: true</c>) may
/// call it, with HTTP basic credentials or a bearer token of this registry. Errors use the OCI error body.
/// </summary>
public sealed partial class AdminEndpoints(
    AuthDirectory directory, CredentialVerifier credentials, TimeProvider clock, ILogger<AdminEndpoints> logger)
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
    private static partial Regex NamePattern();

    public void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(AdminApiGuard.Prefix);
        api.MapGet("/users", Admin(ListUsersAsync));
        api.MapPut("/users/{name}", Admin(PutUserAsync));
        api.MapDelete("/users/{name}", Admin(DeleteUserAsync));
        api.MapGet("/robots", Admin(ListRobotsAsync));
        api.MapPost("/robots", Admin(CreateRobotAsync));
        api.MapDelete("/robots/{name}", Admin(DeleteRobotAsync));
        api.MapGet("/namespaces", Admin(ListNamespacesAsync));
        api.MapPut("/namespaces/{**pattern}", Admin(PutNamespaceAsync));
        api.MapDelete("/namespaces/{**pattern}", Admin(DeleteNamespaceAsync));
        api.MapPut("/grants", Admin(PutGrantAsync));
        api.MapDelete("/grants", Admin(DeleteGrantAsync));
    }

    public sealed record UserBody(string? Password, bool Admin);

    public sealed record RobotBody(string? Name, DateTimeOffset? ExpiresAt, TimeSpan? ExpiresIn, string? Description, GrantBody[]? Grants);

    public sealed record GrantBody(string? Namespace, string? Subject, string[]? Roles);

    public sealed record NamespaceBody(string? Visibility);

    // The admin check ran in AdminApiGuard; the handler gets the policy it was made against.
    private static RequestDelegate Admin(Func<HttpContext, AccessPolicy, Task<IResult>> handler) => async context =>
    {
        var result = await handler(context, AdminApiGuard.Policy(context));
        await result.ExecuteAsync(context);
    };

    private static Task<IResult> ListUsersAsync(HttpContext context, AccessPolicy policy) =>
        Task.FromResult(Results.Json(policy.Snapshot.Users.Select(u => new { name = u.Name, admin = u.Admin, source = Source(u.Source) })));

    private async Task<IResult> PutUserAsync(HttpContext context, AccessPolicy policy)
    {
        var name = RequireName(RouteValue(context, "name"), "user");
        var body = await ReadAsync<UserBody>(context);
        var existing = policy.FindUser(name);
        string hash;
        if (!string.IsNullOrEmpty(body.Password))
        {
            hash = credentials.HashPassword(body.Password);
        }
        else
        {
            hash = existing?.PasswordHash ?? throw BadRequest("a new user needs a password");
        }

        await directory.Grain.PutUser(new UserRecord { Name = name, PasswordHash = hash, Admin = body.Admin, Source = AuthSource.Api });
        logger.LogInformation(new EventId(4010, "SecurityUserChanged"), "security: user {User} {Action}", name, existing is null ? "created" : "updated");
        return Results.Json(new { name, admin = body.Admin }, statusCode: existing is null ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private async Task<IResult> DeleteUserAsync(HttpContext context, AccessPolicy policy)
    {
        var name = RequireName(RouteValue(context, "name"), "user");
        if (!await directory.Grain.DeleteUser(name))
        {
            throw NotFound($"no user '{name}'");
        }

        logger.LogInformation(new EventId(4010, "SecurityUserChanged"), "security: user {User} deleted", name);
        return Results.NoContent();
    }

    private static Task<IResult> ListRobotsAsync(HttpContext context, AccessPolicy policy) =>
        Task.FromResult(Results.Json(policy.Snapshot.Robots.Select(r => new
        {
            name = r.Name,
            expiresAt = r.ExpiresAt,
            description = r.Description,
            source = Source(r.Source),
        })));

    private async Task<IResult> CreateRobotAsync(HttpContext context, AccessPolicy policy)
    {
        var body = await ReadAsync<RobotBody>(context);
        var shortName = body.Name ?? "";
        if (AccessPolicy.IsRobotName(shortName))
        {
            shortName = shortName[AccessPolicy.RobotPrefix.Length..];
        }

        RequireName(shortName, "robot");

        var expiresAt = body.ExpiresAt ?? (body.ExpiresIn is { } lifetime ? clock.GetUtcNow() + lifetime : null);
        var grants = body.Grants ?? [];
        foreach (var grant in grants)
        {
            if (grant.Namespace is null || policy.Snapshot.Namespaces.All(n => n.Pattern != grant.Namespace))
            {
                throw NotFound($"no namespace '{grant.Namespace}'");
            }
        }

        var name = AccessPolicy.RobotPrefix + shortName;
        var (secret, sha256) = CredentialVerifier.NewRobotSecret();
        await directory.Grain.PutRobot(new RobotRecord
        {
            Name = name,
            SecretSha256 = sha256,
            ExpiresAt = expiresAt,
            Description = body.Description,
            Source = AuthSource.Api,
        });
        foreach (var grant in grants)
        {
            await directory.Grain.Grant(grant.Namespace!, name, ParseRoles(grant.Roles));
        }

        logger.LogInformation(new EventId(4011, "SecurityRobotCreated"), "security: robot {Robot} created, expires {ExpiresAt}", name, expiresAt);
        return Results.Json(new { name, secret, expiresAt }, statusCode: StatusCodes.Status201Created);
    }

    private async Task<IResult> DeleteRobotAsync(HttpContext context, AccessPolicy policy)
    {
        var name = RequireSubject(RouteValue(context, "name"), assumeRobot: true);

        return await directory.Grain.DeleteRobot(name) ? Results.NoContent() : throw NotFound($"no robot '{name}'");
    }

    private static Task<IResult> ListNamespacesAsync(HttpContext context, AccessPolicy policy) =>
        Task.FromResult(Results.Json(policy.Snapshot.Namespaces.Select(n => new
        {
            name = n.Pattern,
            visibility = n.Visibility == NamespaceVisibility.Public ? "public" : "private",
            grants = n.Grants.ToDictionary(g => g.Subject, g => AccessPolicy.FormatRoles(g.Roles)),
            source = Source(n.Source),
        })));

    private async Task<IResult> PutNamespaceAsync(HttpContext context, AccessPolicy policy)
    {
        var pattern = RequirePattern(RouteValue(context, "pattern"));
        var body = await ReadAsync<NamespaceBody>(context);
        NamespaceVisibility visibility;
        try
        {
            visibility = AuthConfigurationFile.ParseVisibility(body.Visibility ?? "private", "visibility");
        }
        catch (AuthConfigurationException error)
        {
            throw BadRequest(error.Message);
        }

        var existed = policy.Snapshot.Namespaces.Any(n => n.Pattern == pattern);
        await directory.Grain.PutNamespace(pattern, visibility, AuthSource.Api);
        return Results.Json(new { name = pattern, visibility = body.Visibility ?? "private" },
            statusCode: existed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    }

    private async Task<IResult> DeleteNamespaceAsync(HttpContext context, AccessPolicy policy)
    {
        var pattern = RequirePattern(RouteValue(context, "pattern"));
        return await directory.Grain.DeleteNamespace(pattern) ? Results.NoContent() : throw NotFound($"no namespace '{pattern}'");
    }

    private async Task<IResult> PutGrantAsync(HttpContext context, AccessPolicy policy)
    {
        var body = await ReadAsync<GrantBody>(context);
        if (string.IsNullOrEmpty(body.Subject) || string.IsNullOrEmpty(body.Namespace))
        {
            throw BadRequest("namespace and subject are required");
        }

        RequirePattern(body.Namespace);
        RequireSubject(body.Subject, assumeRobot: false);

        var roles = ParseRoles(body.Roles);
        if (!await directory.Grain.Grant(body.Namespace, body.Subject, roles))
        {
            throw NotFound($"no namespace '{body.Namespace}'");
        }

        logger.LogInformation(new EventId(4012, "SecurityGrantChanged"), "security: {Subject} granted {Roles} on {Namespace}",
            body.Subject, roles, body.Namespace);
        return Results.Json(new { @namespace = body.Namespace, subject = body.Subject, roles = AccessPolicy.FormatRoles(roles) });
    }

    private async Task<IResult> DeleteGrantAsync(HttpContext context, AccessPolicy policy)
    {
        var ns = context.Request.Query["namespace"].ToString();
        var subject = context.Request.Query["subject"].ToString();
        if (ns.Length == 0 || subject.Length == 0)
        {
            throw BadRequest("namespace and subject query parameters are required");
        }

        RequirePattern(ns);
        RequireSubject(subject, assumeRobot: false);

        if (!await directory.Grain.Grant(ns, subject, NamespaceRole.None))
        {
            throw NotFound($"no namespace '{ns}'");
        }

        logger.LogInformation(new EventId(4012, "SecurityGrantChanged"), "security: {Subject} revoked on {Namespace}", subject, ns);
        return Results.NoContent();
    }

    private static NamespaceRole ParseRoles(string[]? roles)
    {
        try
        {
            return AccessPolicy.ParseRoles(roles ?? []);
        }
        catch (FormatException error)
        {
            throw BadRequest(error.Message);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpContext context)
    {
        try
        {
            return await context.Request.ReadFromJsonAsync<T>(JsonSerializerOptions.Web, context.RequestAborted)
                ?? throw BadRequest("a JSON body is required");
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
        {
            throw BadRequest("a JSON body is required");
        }
    }

    // Names from a request are checked before the directory grain is asked about them.
    private static string RequireName(string name, string what) =>
        NamePattern().IsMatch(name) ? name : throw BadRequest($"invalid {what} name '{Shorten(name)}'");

    /// <summary>A user, or a robot with its prefix (added when <paramref name="assumeRobot"/> and missing).</summary>
    private static string RequireSubject(string subject, bool assumeRobot)
    {
        if (AccessPolicy.IsRobotName(subject))
        {
            RequireName(subject[AccessPolicy.RobotPrefix.Length..], "robot");
            return subject;
        }

        RequireName(subject, assumeRobot ? "robot" : "user");
        return assumeRobot ? AccessPolicy.RobotPrefix + subject : subject;
    }

    private static string RequirePattern(string pattern) =>
        NamespacePattern.IsValid(pattern)
            ? pattern
            : throw BadRequest($"invalid namespace '{Shorten(pattern)}' (use name/*, * or a repository name)");

    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "..." : value;

    private static string RouteValue(HttpContext context, string key) => context.Request.RouteValues[key]?.ToString() ?? "";

    private static string Source(AuthSource source) => source == AuthSource.Configuration ? "configuration" : "api";

    private static OciException BadRequest(string message) =>
        new(OciErrorCode.Unsupported, message, statusCode: StatusCodes.Status400BadRequest);

    private static OciException NotFound(string message) =>
        new(OciErrorCode.NameUnknown, message, statusCode: StatusCodes.Status404NotFound);
}
