namespace OrleansRegistry.Contracts.Blobs;

/// <summary>
/// The digests whose bytes no repository holds any more (key <see cref="Key"/>): what garbage
/// collection looks at on every pass, so that a pass costs what there is to collect, not what is
/// stored. A blob index entry adds itself when its last repository goes; a pass takes entries out
/// once they are deleted or held again. The full storage listing (orphans, and anything this set
/// missed in a crash) is gone through once per grace period.
/// </summary>
[Alias("gc-candidates")]
public interface IGcCandidatesGrain : IGrainWithStringKey
{
    public const string Key = "gc";

    [Alias("add")]
    Task Add(string digest);

    [Alias("remove")]
    Task Remove(string[] digests);

    [Alias("list")]
    Task<string[]> List();
}
