using OrleansRegistry.Core.References;
using OrleansRegistry.Grains.Auth;
using OrleansRegistry.Contracts.Auth;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// The access decisions over one version of the directory (pure: no I/O, no clock but the one given).
/// A namespace pattern is <c>*</c> (everything), <c>prefix/*</c> (everything under <c>prefix/</c>)
/// or an exact repository name. Visibility comes from the most specific matching namespace; grants
/// of every matching namespace add up. Roles: pull; push and delete include pull; admin is all three.
/// Registry admins may do everything. Anonymous callers pull public namespaces only; every caller
/// may ask for <c>registry:catalog:*</c>, whose listing is filtered to what it may pull.
/// </summary>
public sealed class AccessPolicy
{
    private readonly Dictionary<string, UserRecord> _users;
    private readonly Dictionary<string, RobotRecord> _robots;
    private readonly NamespaceRecord[] _namespaces;

    public AccessPolicy(AuthSnapshot snapshot)
    {
        Snapshot = snapshot;
        _users = snapshot.Users.ToDictionary(u => u.Name, StringComparer.Ordinal);
        _robots = snapshot.Robots.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _namespaces = snapshot.Namespaces;
    }

    public AuthSnapshot Snapshot { get; }

    public const string RobotPrefix = "robot$";

    public static bool IsRobotName(string name) => name.StartsWith(RobotPrefix, StringComparison.Ordinal);

    public UserRecord? FindUser(string name) => _users.GetValueOrDefault(name);

    public RobotRecord? FindRobot(string name) => _robots.GetValueOrDefault(name);

    /// <summary>Whether <paramref name="subject"/> still exists, is not expired and its credential stamp is <paramref name="stamp"/>.</summary>
    public bool IsCurrent(string subject, string stamp, DateTimeOffset now)
    {
        if (IsRobotName(subject))
        {
            return _robots.TryGetValue(subject, out var robot) && robot.Stamp == stamp && !IsExpired(robot, now);
        }

        return _users.TryGetValue(subject, out var user) && user.Stamp == stamp;
    }

    public static bool IsExpired(RobotRecord robot, DateTimeOffset now) => robot.ExpiresAt is { } expiry && expiry <= now;

    public bool IsAdmin(string? subject) => subject is not null && _users.TryGetValue(subject, out var user) && user.Admin;



    /// <summary>The actions <paramref name="subject"/> (null: anonymous) may take on a repository now.</summary>
    public HashSet<string> RepositoryActions(string? subject, string repository, DateTimeOffset now)
    {
        var actions = new HashSet<string>(StringComparer.Ordinal);
        if (IsAdmin(subject))
        {
            actions.UnionWith([AccessScope.Pull, AccessScope.Push, AccessScope.Delete]);
            return actions;
        }

        if (subject is not null && IsRobotName(subject) && (!_robots.TryGetValue(subject, out var robot) || IsExpired(robot, now)))
        {
            subject = null;
        }

        if (subject is not null && !IsRobotName(subject) && !_users.ContainsKey(subject))
        {
            subject = null;
        }

        var best = -1;
        var visibility = NamespaceVisibility.Private;
        var roles = NamespaceRole.None;
        foreach (var ns in _namespaces)
        {
            var match = NamespacePattern.Match(ns.Pattern, repository);
            if (match < 0)
            {
                continue;
            }

            if (match > best)
            {
                best = match;
                visibility = ns.Visibility;
            }

            if (subject is not null)
            {
                foreach (var grant in ns.Grants)
                {
                    if (grant.Subject == subject)
                    {
                        roles |= grant.Roles;
                    }
                }
            }
        }

        if (best >= 0 && visibility == NamespaceVisibility.Public)
        {
            actions.Add(AccessScope.Pull);
        }

        if ((roles & (NamespaceRole.Pull | NamespaceRole.Push | NamespaceRole.Delete | NamespaceRole.Admin)) != 0)
        {
            actions.Add(AccessScope.Pull);
        }

        if ((roles & (NamespaceRole.Push | NamespaceRole.Admin)) != 0)
        {
            actions.Add(AccessScope.Push);
        }

        if ((roles & (NamespaceRole.Delete | NamespaceRole.Admin)) != 0)
        {
            actions.Add(AccessScope.Delete);
        }

        return actions;
    }

    /// <summary>The part of <paramref name="requested"/> that <paramref name="subject"/> is granted; null when nothing is.</summary>
    public AccessScope? Grant(string? subject, AccessScope requested, DateTimeOffset now)
    {
        string[] granted;
        if (requested.Type == AccessScope.Repository)
        {
            if (!Core.References.RepositoryName.IsValid(requested.Name))
            {
                return null;
            }

            var allowed = RepositoryActions(subject, requested.Name, now);
            granted = requested.Actions.Contains(AccessScope.All)
                ? [.. allowed.Order(StringComparer.Ordinal)]
                : [.. requested.Actions.Where(allowed.Contains)];
        }
        else if (requested.Type == AccessScope.Registry && requested.Name == AccessScope.Catalog)
        {
            granted = [.. requested.Actions.Where(a => a == AccessScope.All)];
        }
        else
        {
            granted = [];
        }

        return granted.Length == 0 ? null : requested with { Actions = granted };
    }

    /// <summary>Grants for several requested scopes, merged per resource.</summary>
    public List<AccessScope> GrantAll(string? subject, IEnumerable<AccessScope> requested, DateTimeOffset now)
    {
        var merged = new List<AccessScope>();
        foreach (var group in requested.GroupBy(s => (s.Type, s.Name)))
        {
            var scope = new AccessScope(group.Key.Type, group.Key.Name, [.. group.SelectMany(s => s.Actions).Distinct(StringComparer.Ordinal)]);
            if (Grant(subject, scope, now) is { } granted)
            {
                merged.Add(granted);
            }
        }

        return merged;
    }

    public static NamespaceRole ParseRoles(IEnumerable<string> roles)
    {
        var result = NamespaceRole.None;
        foreach (var role in roles)
        {
            result |= role.ToLowerInvariant() switch
            {
                "pull" => NamespaceRole.Pull,
                "push" => NamespaceRole.Push,
                "delete" => NamespaceRole.Delete,
                "admin" => NamespaceRole.Admin,
                _ => throw new FormatException($"unknown role '{role}' (pull, push, delete, admin)"),
            };
        }

        return result;
    }

    public static string[] FormatRoles(NamespaceRole roles) =>
        [.. new[] { NamespaceRole.Pull, NamespaceRole.Push, NamespaceRole.Delete, NamespaceRole.Admin }
            .Where(r => (roles & r) != 0).Select(r => r.ToString().ToLowerInvariant())];
}
