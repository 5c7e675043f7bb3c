using OrleansRegistry.Server.Tests.Auth;

namespace OrleansRegistry.Server.Tests.Extensions.Policies;

/// <summary>
/// <see cref="AuthServer"/> with immutability rules declared in both places the configuration has:
/// the configuration file (<c>fixed/*</c>: <c>stable</c>) and the settings (<c>pinned/app</c>: every tag);
/// quotas: <c>capped/*</c> (1000 bytes) in the file, <c>limited/app</c> (2000 bytes) in the settings; and retention:
/// <c>kept/*</c> (the 3 last pushed, untagged removed) in the file, <c>trimmed/app</c> (<c>v*</c>, every 12 hours) in the settings.
/// </summary>
public sealed class PolicyServer : AuthServer
{
    protected override string ConfigurationFile() =>
        Config.TrimEnd()[..^1] + """
        ,
          "immutability": [ { "namespace": "fixed/*", "tags": ["stable"] } ],
          "quotas": [ { "namespace": "capped/*", "bytes": 1000 } ],
          "retention": [ { "namespace": "kept/*", "keepLastPushed": 3, "removeUntagged": true } ]
        }
        """;

    protected override Dictionary<string, string> Settings()
    {
        var settings = base.Settings();
        settings["Registry:Policies:Immutability:0:Namespace"] = "pinned/app";
        settings["Registry:Policies:Immutability:0:Tags:0"] = "*";
        settings["Registry:Policies:Quotas:0:Namespace"] = "limited/app";
        settings["Registry:Policies:Quotas:0:Bytes"] = "2000";
        settings["Registry:Policies:Retention:0:Namespace"] = "trimmed/app";
        settings["Registry:Policies:Retention:0:KeepTags:0"] = "v*";
        settings["Registry:Policies:Retention:0:Schedule"] = "12:00:00";
        return settings;
    }
}
