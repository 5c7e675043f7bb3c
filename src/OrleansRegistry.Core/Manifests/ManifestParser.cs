using System.Text.Json;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Manifests;

/// <summary>
/// Validates a pushed manifest and extracts what the registry needs (referenced blobs and
/// manifests, subject, artifact type). Streams through the JSON once with Utf8JsonReader.
/// Supported: OCI image manifest and index, Docker schema2 manifest and manifest list.
/// Everything else, including Docker schema1 and unknown media types, is MANIFEST_INVALID:
/// the registry must understand a manifest to know which blobs it keeps alive.
/// </summary>
public static class ManifestParser
{
    /// <summary>The spec's SHOULD-accept size; the server enforces it (413) before parsing.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>Validates and reads a manifest, keeping every descriptor's annotations.</summary>
    public static ManifestParseResult Parse(ReadOnlySpan<byte> body, string? contentType) =>
        Parse(body, contentType, keepDescriptorAnnotations: true);

    /// <summary>
    /// Validates and reads a manifest. With <paramref name="keepDescriptorAnnotations"/> false the
    /// annotations of layers, config, children and subject are validated the same way but not kept
    /// (<see cref="Descriptor.Annotations"/> is null): the registry stores only the manifest's own
    /// annotations, and a 4 MiB manifest's per-layer dictionaries are most of what parsing allocates.
    /// </summary>
    public static ManifestParseResult Parse(ReadOnlySpan<byte> body, string? contentType, bool keepDescriptorAnnotations)
    {
        if (MediaTypes.IsSchema1(contentType))
        {
            return Invalid(Schema1Unsupported);
        }

        try
        {
            return ManifestParseResult.Ok(Build(ManifestDocument.Read(body, keepDescriptorAnnotations), contentType));
        }
        catch (ManifestFormatException ex)
        {
            return Invalid(ex.Message);
        }
        catch (JsonException ex)
        {
            return Invalid($"manifest is not valid JSON: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader reports some malformed input (e.g. invalid UTF-8 in strings) this way.
            return Invalid($"manifest is not valid JSON: {ex.Message}");
        }
    }

    private const string Schema1Unsupported = "Docker schema1 manifests are not supported; push a schema2 or OCI manifest";

    private static ManifestParseResult Invalid(string error) => ManifestParseResult.Fail(OciErrorCode.ManifestInvalid, error);

    private static ParsedManifest Build(ManifestDocument document, string? contentType)
    {
        if (document.SchemaVersion == 1 || MediaTypes.IsSchema1(document.MediaType))
        {
            throw new ManifestFormatException(Schema1Unsupported);
        }

        if (document.SchemaVersion != 2)
        {
            throw new ManifestFormatException(document.SchemaVersion is null ? "schemaVersion is missing" : "schemaVersion must be 2");
        }

        var mediaType = ManifestMediaType.Determine(document, contentType);
        if (MediaTypes.IsIndex(mediaType))
        {
            if (document.Manifests is null)
            {
                throw new ManifestFormatException("an index requires a manifests array");
            }

            if (document.Config is not null || document.Layers is not null)
            {
                throw new ManifestFormatException("an index must not have config or layers");
            }

            return new ParsedManifest(mediaType, null, [], document.Manifests, document.Subject, document.ArtifactType, document.Annotations);
        }

        if (document.Config is null)
        {
            throw new ManifestFormatException("an image manifest requires a config descriptor");
        }

        if (document.Layers is null)
        {
            throw new ManifestFormatException("an image manifest requires a layers array");
        }

        if (document.Manifests is not null)
        {
            throw new ManifestFormatException("an image manifest must not have manifests");
        }

        return new ParsedManifest(
            mediaType,
            document.Config,
            document.Layers,
            [],
            document.Subject,
            document.ArtifactType ?? document.Config.MediaType,
            document.Annotations);
    }
}
