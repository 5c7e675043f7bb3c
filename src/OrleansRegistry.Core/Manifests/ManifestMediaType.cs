using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Manifests;

/// <summary>Which manifest type a pushed document is, from its mediaType field and Content-Type.</summary>
internal static class ManifestMediaType
{
    /// <summary>
    /// The mediaType field wins; any Content-Type that differs from it is an error (a generic one
    /// included: the header says what the client thinks it sent). Without the field, the header
    /// decides, generic Content-Types (application/json, application/octet-stream, text/plain)
    /// counting as absent; with neither, the shape decides: manifests → OCI index, config + layers
    /// → OCI manifest. Docker types must carry their mediaType field (their spec requires it).
    /// </summary>
    public static string Determine(ManifestDocument document, string? contentType)
    {
        var header = MediaTypes.StripParameters(contentType);
        if (document.MediaType is not null)
        {
            if (header is not null && !string.Equals(header, document.MediaType, StringComparison.OrdinalIgnoreCase))
            {
                throw new ManifestFormatException(
                    $"mediaType '{ManifestJson.Truncate(document.MediaType)}' does not match Content-Type '{ManifestJson.Truncate(header)}'");
            }

            return Supported(document.MediaType);
        }

        if (header is not null && !IsGeneric(header))
        {
            var fromHeader = Supported(header);
            if (fromHeader is MediaTypes.DockerManifest or MediaTypes.DockerManifestList)
            {
                throw new ManifestFormatException($"a {fromHeader} manifest requires its mediaType field");
            }

            return fromHeader;
        }

        if (document.Manifests is not null && document.Config is null && document.Layers is null)
        {
            return MediaTypes.OciIndex;
        }

        if (document.Config is not null && document.Layers is not null && document.Manifests is null)
        {
            return MediaTypes.OciManifest;
        }

        throw new ManifestFormatException("cannot determine the manifest media type: no mediaType field or Content-Type");
    }

    private static string Supported(string mediaType) =>
        MediaTypes.CanonicalManifestType(mediaType)
            ?? throw new ManifestFormatException($"unsupported manifest media type '{ManifestJson.Truncate(mediaType)}'");

    private static bool IsGeneric(string header) =>
        header.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || header.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase)
        || header.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
}
