using System.Buffers;
using System.Text.Json;
using OrleansRegistry.Core.Json;
using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Referrers;

/// <summary>Builds the body of <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>: an OCI image index.</summary>
public static class ReferrersIndex
{
    /// <summary>
    /// <c>{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[...]}</c>
    /// with each descriptor's mediaType, digest, size, and artifactType/annotations when present.
    /// Annotations are written sorted by key so equal sets give byte-identical bodies.
    /// </summary>
    public static byte[] BuildIndexJson(IEnumerable<Descriptor> referrers)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, RegistryJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", MediaTypes.OciIndex);
            writer.WriteStartArray("manifests");
            foreach (var descriptor in referrers)
            {
                WriteDescriptor(writer, descriptor);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Keeps referrers whose artifactType equals <paramref name="artifactType"/> (all when null).
    /// When a filter was applied the response must carry <c>OCI-Filters-Applied: artifactType</c>.
    /// </summary>
    public static IEnumerable<Descriptor> FilterByArtifactType(IEnumerable<Descriptor> referrers, string? artifactType) =>
        artifactType is null ? referrers : referrers.Where(d => d.ArtifactType == artifactType);

    private static void WriteDescriptor(Utf8JsonWriter writer, Descriptor descriptor)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", descriptor.MediaType);
        writer.WriteString("digest", descriptor.Digest.ToString());
        writer.WriteNumber("size", descriptor.Size);
        if (descriptor.ArtifactType is not null)
        {
            writer.WriteString("artifactType", descriptor.ArtifactType);
        }

        if (descriptor.Annotations is { Count: > 0 } annotations)
        {
            writer.WriteStartObject("annotations");
            foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
