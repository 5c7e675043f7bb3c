using OrleansRegistry.Core.References;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansRegistry.Grains.Auth;
using OrleansRegistry.Contracts.Auth;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// The GitOps file of <see cref="AuthOptions.ConfigPath"/> (see examples/auth/auth.json):
/// <code>
/// { "htpasswd": "users.htpasswd",
///   "users": [ { "name": "alice", "password": "alice-pass" }, { "name": "ops", "passwordHash": "$2y$10$...", "admin": true } ],
///   "robots": [ { "name": "robot$ci", "secretSha256": "…hex…", "expiresAt": "2026-01-01T00:00:00Z" } ],
///   "namespaces": [ { "name": "team/*", "visibility": "private", "grants": { "alice": ["pull", "push", "delete"] } } ] }
/// </code>
/// A plain <c>password</c> is hashed with bcrypt at load (the stored hash is kept when it still
/// matches); <c>passwordHash</c> is a bcrypt hash used as is. Paths are relative to the file.
/// </summary>
public sealed class AuthConfigurationFile
{
    [JsonPropertyName("htpasswd")] public string? Htpasswd { get; set; }
    [JsonPropertyName("users")] public List<UserEntry> Users { get; set; } = [];
    [JsonPropertyName("robots")] public List<RobotEntry> Robots { get; set; } = [];
    [JsonPropertyName("namespaces")] public List<NamespaceEntry> Namespaces { get; set; } = [];

    public sealed class UserEntry
    {
        [JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("password")] public string? Password { get; set; }
        [JsonPropertyName("passwordHash")] public string? PasswordHash { get; set; }
        [JsonPropertyName("admin")] public bool Admin { get; set; }
    }

    public sealed class RobotEntry
    {
        [JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("secretSha256")] public string SecretSha256 { get; set; } = "";
        [JsonPropertyName("expiresAt")] public DateTimeOffset? ExpiresAt { get; set; }
        [JsonPropertyName("description")] public string? Description { get; set; }
    }

    public sealed class NamespaceEntry
    {
        [JsonPropertyName("name")] public string Name { get; set; } = "";
        [JsonPropertyName("visibility")] public string Visibility { get; set; } = "private";
        [JsonPropertyName("grants")] public Dictionary<string, string[]> Grants { get; set; } = [];
    }

    /// <summary>Reads and checks the file (and the htpasswd it names); throws <see cref="AuthConfigurationException"/> with the reason.</summary>
    public static AuthConfigurationFile Load(string path)
    {
        AuthConfigurationFile file;
        try
        {
            file = JsonSerializer.Deserialize<AuthConfigurationFile>(File.ReadAllText(path),
                new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
                ?? throw new AuthConfigurationException($"{path} is empty");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new AuthConfigurationException($"cannot read auth configuration {path}: {error.Message}", error);
        }

        if (file.Htpasswd is not null)
        {
            var htpasswd = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, file.Htpasswd);
            file.Users.AddRange(ReadHtpasswd(htpasswd).Where(h => file.Users.All(u => u.Name != h.Name)));
        }

        file.Validate(path);
        return file;
    }

    /// <summary>htpasswd lines <c>name:$2y$...</c>; only bcrypt entries are accepted.</summary>
    public static List<UserEntry> ReadHtpasswd(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new AuthConfigurationException($"cannot read htpasswd file {path}: {error.Message}", error);
        }

        var users = new List<UserEntry>();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var colon = line.IndexOf(':');
            var hash = colon > 0 ? line[(colon + 1)..] : "";
            if (!hash.StartsWith("$2", StringComparison.Ordinal))
            {
                throw new AuthConfigurationException($"{path}: only bcrypt entries (htpasswd -B) are accepted");
            }

            users.Add(new UserEntry { Name = line[..colon], PasswordHash = hash });
        }

        return users;
    }

    private void Validate(string path)
    {
        foreach (var user in Users)
        {
            if (user.Name.Length == 0 || user.Name.Contains(':') || AccessPolicy.IsRobotName(user.Name))
            {
                throw new AuthConfigurationException($"{path}: invalid user name '{user.Name}'");
            }

            if ((user.Password is null) == (user.PasswordHash is null))
            {
                throw new AuthConfigurationException($"{path}: user '{user.Name}' needs exactly one of password and passwordHash");
            }

            if (user.PasswordHash is not null && !user.PasswordHash.StartsWith("$2", StringComparison.Ordinal))
            {
                throw new AuthConfigurationException($"{path}: user '{user.Name}': passwordHash must be a bcrypt hash");
            }
        }

        foreach (var robot in Robots)
        {
            if (!AccessPolicy.IsRobotName(robot.Name) || robot.SecretSha256.Length != 64)
            {
                throw new AuthConfigurationException($"{path}: robot '{robot.Name}' needs a name starting with robot$ and a 64-hex-digit secretSha256");
            }
        }

        foreach (var ns in Namespaces)
        {
            if (!NamespacePattern.IsValid(ns.Name))
            {
                throw new AuthConfigurationException($"{path}: invalid namespace '{ns.Name}' (use name/*, * or a repository name)");
            }

            _ = ParseVisibility(ns.Visibility, path);
            foreach (var (subject, roles) in ns.Grants)
            {
                try
                {
                    AccessPolicy.ParseRoles(roles);
                }
                catch (FormatException error)
                {
                    throw new AuthConfigurationException($"{path}: namespace '{ns.Name}', subject '{subject}': {error.Message}");
                }
            }
        }
    }

    public static NamespaceVisibility ParseVisibility(string value, string where) => value.ToLowerInvariant() switch
    {
        "public" => NamespaceVisibility.Public,
        "private" => NamespaceVisibility.Private,
        _ => throw new AuthConfigurationException($"{where}: visibility must be public or private, not '{value}'"),
    };

    /// <summary>The records to apply; plain passwords are hashed unless <paramref name="current"/> already holds a hash that matches.</summary>
    public (UserRecord[] Users, RobotRecord[] Robots, NamespaceRecord[] Namespaces) ToRecords(AccessPolicy current, CredentialVerifier credentials)
    {
        var users = Users.Select(u =>
        {
            var hash = u.PasswordHash;
            if (hash is null)
            {
                var stored = current.FindUser(u.Name)?.PasswordHash;
                hash = stored is not null && credentials.VerifyBcrypt(u.Password!, stored) ? stored : credentials.HashPassword(u.Password!);
            }

            return new UserRecord { Name = u.Name, PasswordHash = hash, Admin = u.Admin, Source = AuthSource.Configuration };
        }).ToArray();
        var robots = Robots.Select(r => new RobotRecord
        {
            Name = r.Name,
            SecretSha256 = r.SecretSha256.ToLowerInvariant(),
            ExpiresAt = r.ExpiresAt,
            Description = r.Description,
            Source = AuthSource.Configuration,
        }).ToArray();
        var namespaces = Namespaces.Select(n => new NamespaceRecord
        {
            Pattern = n.Name,
            Visibility = ParseVisibility(n.Visibility, n.Name),
            Grants = [.. n.Grants.Select(g => new GrantRecord { Subject = g.Key, Roles = AccessPolicy.ParseRoles(g.Value) }).OrderBy(g => g.Subject, StringComparer.Ordinal)],
            Source = AuthSource.Configuration,
        }).ToArray();
        return (users, robots, namespaces);
    }
}
