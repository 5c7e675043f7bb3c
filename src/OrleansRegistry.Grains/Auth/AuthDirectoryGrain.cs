using OrleansRegistry.Grains.State;
using OrleansRegistry.Contracts;
using OrleansRegistry.Contracts.Auth;

namespace OrleansRegistry.Grains.Auth;

public sealed class AuthDirectoryGrain(
    [PersistentState("auth", GrainStorageNames.Registry)] IPersistentState<AuthDirectoryState> state)
    : Grain, IAuthDirectoryGrain
{
    /// <summary>The key of the one directory grain.</summary>

    private AuthSnapshot? _snapshot;

    public Task<AuthSnapshot> GetSnapshot() => Task.FromResult(Snapshot());

    public async Task<AuthSnapshot> PutUser(UserRecord user)
    {
        await MutateAsync(s =>
        {
            s.Users.TryGetValue(user.Name, out var old);
            s.Users[user.Name] = WithStamp(user, old);
            return true;
        });
        return Snapshot();
    }

    public Task<bool> DeleteUser(string name) => MutateAsync(s => s.Users.Remove(name) | RemoveGrants(s, name));

    public async Task<AuthSnapshot> PutRobot(RobotRecord robot)
    {
        await MutateAsync(s =>
        {
            s.Robots.TryGetValue(robot.Name, out var old);
            s.Robots[robot.Name] = robot with { Stamp = old is not null && old.SecretSha256 == robot.SecretSha256 ? old.Stamp : NewStamp() };
            return true;
        });
        return Snapshot();
    }

    public Task<bool> DeleteRobot(string name) => MutateAsync(s => s.Robots.Remove(name) | RemoveGrants(s, name));

    public async Task<AuthSnapshot> PutNamespace(string pattern, NamespaceVisibility visibility, AuthSource source)
    {
        await MutateAsync(s =>
        {
            s.Namespaces[pattern] = s.Namespaces.TryGetValue(pattern, out var old)
                ? old with { Visibility = visibility }
                : new NamespaceRecord { Pattern = pattern, Visibility = visibility, Source = source };
            return true;
        });
        return Snapshot();
    }

    public Task<bool> DeleteNamespace(string pattern) => MutateAsync(s => s.Namespaces.Remove(pattern));

    public Task<bool> Grant(string pattern, string subject, NamespaceRole roles) => MutateAsync(s =>
    {
        if (!s.Namespaces.TryGetValue(pattern, out var ns))
        {
            return false;
        }

        var grants = ns.Grants.Where(g => g.Subject != subject).ToList();
        if (roles != NamespaceRole.None)
        {
            grants.Add(new GrantRecord { Subject = subject, Roles = roles });
        }

        s.Namespaces[pattern] = ns with { Grants = [.. grants.OrderBy(g => g.Subject, StringComparer.Ordinal)] };
        return true;
    });

    public async Task<AuthSnapshot> ApplyConfiguration(UserRecord[] users, RobotRecord[] robots, NamespaceRecord[] namespaces)
    {
        await MutateAsync(s =>
        {
            foreach (var user in users)
            {
                s.Users.TryGetValue(user.Name, out var old);
                s.Users[user.Name] = WithStamp(user with { Source = AuthSource.Configuration }, old);
            }

            foreach (var robot in robots)
            {
                s.Robots.TryGetValue(robot.Name, out var old);
                s.Robots[robot.Name] = robot with
                {
                    Source = AuthSource.Configuration,
                    Stamp = old is not null && old.SecretSha256 == robot.SecretSha256 ? old.Stamp : NewStamp(),
                };
            }

            foreach (var ns in namespaces)
            {
                s.Namespaces[ns.Pattern] = ns with { Source = AuthSource.Configuration };
            }

            return true;
        });
        return Snapshot();
    }

    /// <summary>Applies a change to a copy of the state and persists it; the live state changes only once stored.</summary>
    private async Task<bool> MutateAsync(Func<AuthDirectoryState, bool> change)
    {
        var next = new AuthDirectoryState
        {
            Version = state.State.Version,
            Users = new(state.State.Users, StringComparer.Ordinal),
            Robots = new(state.State.Robots, StringComparer.Ordinal),
            Namespaces = new(state.State.Namespaces, StringComparer.Ordinal),
        };
        if (!change(next))
        {
            return false;
        }

        next.Version++;
        await state.ReplaceAsync(next);

        _snapshot = null;
        return true;
    }

    private static bool RemoveGrants(AuthDirectoryState s, string subject)
    {
        var changed = false;
        foreach (var (pattern, ns) in s.Namespaces.ToList())
        {
            if (ns.Grants.Any(g => g.Subject == subject))
            {
                s.Namespaces[pattern] = ns with { Grants = [.. ns.Grants.Where(g => g.Subject != subject)] };
                changed = true;
            }
        }

        return changed;
    }

    private static UserRecord WithStamp(UserRecord user, UserRecord? old) =>
        user with { Stamp = old is not null && old.PasswordHash == user.PasswordHash ? old.Stamp : NewStamp() };

    private static string NewStamp() => Guid.NewGuid().ToString("N");

    private AuthSnapshot Snapshot() => _snapshot ??= new AuthSnapshot
    {
        Version = state.State.Version,
        Users = [.. state.State.Users.Values.OrderBy(u => u.Name, StringComparer.Ordinal)],
        Robots = [.. state.State.Robots.Values.OrderBy(r => r.Name, StringComparer.Ordinal)],
        Namespaces = [.. state.State.Namespaces.Values.OrderBy(n => n.Pattern, StringComparer.Ordinal)],
    };
}
