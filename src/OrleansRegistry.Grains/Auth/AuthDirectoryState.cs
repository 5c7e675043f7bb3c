using OrleansRegistry.Contracts.Auth;

namespace OrleansRegistry.Grains.Auth;

[GenerateSerializer]
public sealed class AuthDirectoryState
{
    [Id(0)] public long Version { get; set; }
    [Id(1)] public Dictionary<string, UserRecord> Users { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public Dictionary<string, RobotRecord> Robots { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public Dictionary<string, NamespaceRecord> Namespaces { get; set; } = new(StringComparer.Ordinal);
}
