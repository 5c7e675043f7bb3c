using Orleans.Concurrency;

namespace OrleansRegistry.Contracts.Auth;

/// <summary>
/// Users, robot accounts, namespaces and grants (key: <see cref="GrainKeys.AuthDirectory"/>).
/// Small metadata read on every token request: reads are interleaved and return an immutable
/// snapshot; every write is persisted before it returns.
/// </summary>
[Alias("auth-directory")]
public interface IAuthDirectoryGrain : IGrainWithStringKey
{
    [AlwaysInterleave, Alias("snapshot")]
    Task<AuthSnapshot> GetSnapshot();

    /// <summary>Creates or replaces a user; the stamp changes when the password hash does.</summary>
    [Alias("put-user")]
    Task<AuthSnapshot> PutUser(UserRecord user);

    /// <summary>Removes a user and every grant it held. False when there was none.</summary>
    [Alias("delete-user")]
    Task<bool> DeleteUser(string name);

    [Alias("put-robot")]
    Task<AuthSnapshot> PutRobot(RobotRecord robot);

    [Alias("delete-robot")]
    Task<bool> DeleteRobot(string name);

    /// <summary>Creates or updates a namespace's visibility, keeping its grants.</summary>
    [Alias("put-namespace")]
    Task<AuthSnapshot> PutNamespace(string pattern, NamespaceVisibility visibility, AuthSource source);

    [Alias("delete-namespace")]
    Task<bool> DeleteNamespace(string pattern);

    /// <summary>Sets the roles of a subject in an existing namespace; None revokes. False when the namespace does not exist.</summary>
    [Alias("grant")]
    Task<bool> Grant(string pattern, string subject, NamespaceRole roles);

    /// <summary>
    /// Applies a configuration file in one write: every user, robot and namespace it declares
    /// replaces the stored one of the same name; entries it does not mention are kept.
    /// </summary>
    [Alias("apply-configuration")]
    Task<AuthSnapshot> ApplyConfiguration(UserRecord[] users, RobotRecord[] robots, NamespaceRecord[] namespaces);
}
