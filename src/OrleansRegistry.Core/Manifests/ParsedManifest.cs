using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Manifests;

/// <summary>What the registry needs to know about a validated manifest or index.</summary>
public sealed class ParsedManifest
{
    internal ParsedManifest(
        string mediaType,
        Descriptor? config,
        IReadOnlyList<Descriptor> layers,
        IReadOnlyList<Descriptor> manifests,
        Descriptor? subject,
        string? artifactType,
        IReadOnlyDictionary<string, string>? annotations)
    {
        MediaType = mediaType;
        Config = config;
        Layers = layers;
        Manifests = manifests;
        Subject = subject;
        ArtifactType = artifactType;
        Annotations = annotations;
    }

    /// <summary>One of the <see cref="MediaTypes"/> manifest constants (canonical spelling).</summary>
    public string MediaType { get; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>The config descriptor of an image manifest; null for an index.</summary>
    public Descriptor? Config { get; }

    /// <summary>Layers of an image manifest (possibly empty for artifacts); empty for an index.</summary>
    public IReadOnlyList<Descriptor> Layers { get; }

    /// <summary>Children of an index; empty for an image manifest.</summary>
    public IReadOnlyList<Descriptor> Manifests { get; }

    /// <summary>The manifest this one refers to (referrers API), if any.</summary>
    public Descriptor? Subject { get; }

    /// <summary>
    /// The artifact type to report in the referrers API: for an image manifest
    /// <c>artifactType</c> or else the config's media type; for an index <c>artifactType</c> or null.
    /// </summary>
    public string? ArtifactType { get; }

    public IReadOnlyDictionary<string, string>? Annotations { get; }

    /// <summary>Blobs that must exist before the manifest is accepted: config, then layers.</summary>
    public IEnumerable<Descriptor> ReferencedBlobs =>
        Config is null ? Layers : Layers.Prepend(Config);

    /// <summary>Manifests that must exist before an index is accepted.</summary>
    public IEnumerable<Descriptor> ReferencedManifests => Manifests;
}
