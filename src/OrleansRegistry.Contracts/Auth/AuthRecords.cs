namespace OrleansRegistry.Contracts.Auth;

/// <summary>What a subject may do in a namespace. Push and delete include pull; admin includes all three.</summary>
[Flags]
public enum NamespaceRole
{
    None = 0,
    Pull = 1,
    Push = 2,
    Delete = 4,
    Admin = 8,
}

public enum NamespaceVisibility
{
    /// <summary>Only subjects with a grant (and registry admins) see it.</summary>
    Private = 0,

    /// <summary>Anyone, anonymous included, may pull.</summary>
    Public = 1,
}

/// <summary>Where an entry of the directory came from; the configuration file only overwrites what it declares.</summary>
public enum AuthSource
{
    Api = 0,
    Configuration = 1,
}

/// <summary>A user: a bcrypt hash of the password, never the password itself.</summary>
[GenerateSerializer, Immutable]
public sealed record UserRecord
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string PasswordHash { get; init; }

    /// <summary>Registry administrator: every repository, the admin API.</summary>
    [Id(2)] public bool Admin { get; init; }

    /// <summary>Changes whenever the password changes; refresh tokens carry it and die with it.</summary>
    [Id(3)] public string Stamp { get; init; } = "";

    [Id(4)] public AuthSource Source { get; init; }
}

/// <summary>A robot account for CI: a high-entropy secret (stored as its SHA-256) that expires.</summary>
[GenerateSerializer, Immutable]
public sealed record RobotRecord
{
    /// <summary>The login name, <c>robot$&lt;name&gt;</c>.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>Lower-case hex SHA-256 of the secret.</summary>
    [Id(1)] public required string SecretSha256 { get; init; }

    /// <summary>When the secret stops working; null for never.</summary>
    [Id(2)] public DateTimeOffset? ExpiresAt { get; init; }

    [Id(3)] public string Stamp { get; init; } = "";

    [Id(4)] public string? Description { get; init; }

    [Id(5)] public AuthSource Source { get; init; }
}

/// <summary>A role grant of one subject (user or robot) in a namespace.</summary>
[GenerateSerializer, Immutable]
public sealed record GrantRecord
{
    [Id(0)] public required string Subject { get; init; }
    [Id(1)] public required NamespaceRole Roles { get; init; }
}

/// <summary>
/// A namespace: a pattern (<c>team/*</c> for everything under <c>team/</c>, <c>*</c> for every
/// repository, or an exact repository name), its visibility and its grants.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NamespaceRecord
{
    [Id(0)] public required string Pattern { get; init; }
    [Id(1)] public NamespaceVisibility Visibility { get; init; }
    [Id(2)] public GrantRecord[] Grants { get; init; } = [];
    [Id(3)] public AuthSource Source { get; init; }
}

/// <summary>The whole directory at one version; immutable, so reads never copy it inside a silo.</summary>
[GenerateSerializer, Immutable]
public sealed record AuthSnapshot
{
    public static readonly AuthSnapshot Empty = new();

    [Id(0)] public long Version { get; init; }
    [Id(1)] public UserRecord[] Users { get; init; } = [];
    [Id(2)] public RobotRecord[] Robots { get; init; } = [];
    [Id(3)] public NamespaceRecord[] Namespaces { get; init; } = [];
}
