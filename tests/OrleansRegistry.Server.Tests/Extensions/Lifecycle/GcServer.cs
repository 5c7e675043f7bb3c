using OrleansRegistry.Server.Tests.Auth;

namespace OrleansRegistry.Server.Tests.Extensions.Lifecycle;

/// <summary>
/// The token-mode server of <see cref="AuthServer"/> with a garbage collection grace of 1 s, untagged
/// manifests collected under <c>team/*</c>, tag histories of 2 (a manifest replaced twice is untagged), and no
/// schedule (the tests run passes through the admin API).
/// </summary>
public sealed class GcServer : AuthServer
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
    public const int HistoryDepth = 2;

    /// <summary>How long a repository stays named in a blob's index after it was added (the blob grain's settle time), plus a margin.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(11);

    protected override Dictionary<string, string> Settings()
    {
        var settings = base.Settings();
        settings["Registry:Gc:Enabled"] = "false";
        settings["Registry:Gc:Grace"] = Grace.ToString();
        settings["Registry:Gc:UntaggedNamespaces:0"] = "team/*";
        settings["Registry:Tags:HistoryDepth"] = HistoryDepth.ToString();
        return settings;
    }
}
