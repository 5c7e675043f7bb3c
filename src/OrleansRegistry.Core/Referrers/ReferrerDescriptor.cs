using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Manifests;

namespace OrleansRegistry.Core.Referrers;

/// <summary>The descriptor under which a pushed manifest with a subject is listed as a referrer.</summary>
public static class ReferrerDescriptor
{
    /// <summary>
    /// mediaType, digest and size of the pushed manifest, its effective artifactType and its
    /// top-level annotations, as the referrers API requires.
    /// </summary>
    public static Descriptor From(ParsedManifest manifest, Digest digest, long size) =>
        new(manifest.MediaType, digest, size, manifest.ArtifactType, manifest.Annotations);
}
