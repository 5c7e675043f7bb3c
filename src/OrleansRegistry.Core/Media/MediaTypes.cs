namespace OrleansRegistry.Core.Media;

/// <summary>Media types the registry knows, and classification of manifest types.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>The empty descriptor's type (<c>{}</c>, used as config of artifacts).</summary>
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerContainerConfig = "application/vnd.docker.container.image.v1+json";

    /// <summary>Docker schema1 (unsigned). Not supported: pushes are rejected with MANIFEST_INVALID.</summary>
    public const string DockerSchema1Manifest = "application/vnd.docker.distribution.manifest.v1+json";

    /// <summary>Docker schema1 (signed JWS). Not supported: pushes are rejected with MANIFEST_INVALID.</summary>
    public const string DockerSchema1SignedManifest = "application/vnd.docker.distribution.manifest.v1+prettyjws";

    /// <summary>Image manifests: OCI image manifest or Docker schema2 manifest.</summary>
    public static bool IsManifest(string? mediaType) =>
        Is(mediaType, OciManifest) || Is(mediaType, DockerManifest);

    /// <summary>Indexes: OCI image index or Docker manifest list.</summary>
    public static bool IsIndex(string? mediaType) =>
        Is(mediaType, OciIndex) || Is(mediaType, DockerManifestList);

    /// <summary>Any manifest type this registry stores.</summary>
    public static bool IsSupportedManifest(string? mediaType) => IsManifest(mediaType) || IsIndex(mediaType);

    public static bool IsSchema1(string? mediaType) =>
        Is(mediaType, DockerSchema1Manifest) || Is(mediaType, DockerSchema1SignedManifest);

    /// <summary>
    /// The bare <c>type/subtype</c> of a header value: parameters (<c>; charset=...</c>) and
    /// surrounding whitespace removed. Null or blank gives null.
    /// </summary>
    public static string? StripParameters(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var semicolon = value.IndexOf(';');
        var bare = (semicolon >= 0 ? value.AsSpan(0, semicolon) : value.AsSpan()).Trim();
        return bare.IsEmpty ? null : bare.Length == value.Length ? value : bare.ToString();
    }

    /// <summary>The canonical constant for a supported manifest type (case-insensitive), else null.</summary>
    public static string? CanonicalManifestType(string? mediaType) =>
        Is(mediaType, OciManifest) ? OciManifest
        : Is(mediaType, OciIndex) ? OciIndex
        : Is(mediaType, DockerManifest) ? DockerManifest
        : Is(mediaType, DockerManifestList) ? DockerManifestList
        : null;

    // Media types are case-insensitive (RFC 9110 §8.3.1); parameters are ignored here.
    private static bool Is(string? mediaType, string expected) =>
        string.Equals(StripParameters(mediaType), expected, StringComparison.OrdinalIgnoreCase);
}
