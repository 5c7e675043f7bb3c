using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Core.Manifests;

/// <summary>
/// An OCI content descriptor. <see cref="Platform"/> is the raw JSON of the <c>platform</c>
/// object of index entries, kept verbatim because the registry never interprets it.
/// </summary>
public sealed record Descriptor(
    string MediaType,
    Digest Digest,
    long Size,
    string? ArtifactType = null,
    IReadOnlyDictionary<string, string>? Annotations = null,
    string? Platform = null);
