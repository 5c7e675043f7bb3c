using System.Text.Json;

namespace OrleansRegistry.Core.Manifests;

/// <summary>The top-level fields of a manifest or index as read, before media type rules apply.</summary>
internal sealed class ManifestDocument
{
    private bool _keepDescriptorAnnotations = true;

    public long? SchemaVersion { get; private set; }

    public string? MediaType { get; private set; }

    public Descriptor? Config { get; private set; }

    public List<Descriptor>? Layers { get; private set; }

    public List<Descriptor>? Manifests { get; private set; }

    public Descriptor? Subject { get; private set; }

    public string? ArtifactType { get; private set; }

    public Dictionary<string, string>? Annotations { get; private set; }

    /// <summary>
    /// Reads the whole body; throws ManifestFormatException or JsonException. Annotations of
    /// descriptors are validated always and kept only when <paramref name="keepDescriptorAnnotations"/>.
    /// </summary>
    public static ManifestDocument Read(ReadOnlySpan<byte> body, bool keepDescriptorAnnotations = true)
    {
        if (body.IsEmpty)
        {
            throw new ManifestFormatException("manifest is empty");
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        reader.Read();

        ManifestJson.ExpectStartObject(ref reader, "manifest");
        var document = new ManifestDocument { _keepDescriptorAnnotations = keepDescriptorAnnotations };
        var seen = 0;
        while (ManifestJson.NextProperty(ref reader))
        {
            document.ReadProperty(ref reader, body, ref seen);
        }

        if (reader.Read())
        {
            throw new ManifestFormatException("unexpected content after the manifest object");
        }

        return document;
    }

    private void ReadProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, ref int seen)
    {
        if (reader.ValueTextEquals("schemaVersion"u8))
        {
            ManifestJson.MarkSeen(ref seen, 1, "schemaVersion");
            reader.Read();
            SchemaVersion = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var version)
                ? version
                : throw new ManifestFormatException("schemaVersion must be an integer");
        }
        else if (reader.ValueTextEquals("mediaType"u8))
        {
            ManifestJson.MarkSeen(ref seen, 2, "mediaType");
            reader.Read();
            MediaType = ManifestJson.ReadString(ref reader, "mediaType");
        }
        else if (reader.ValueTextEquals("config"u8))
        {
            ManifestJson.MarkSeen(ref seen, 4, "config");
            reader.Read();
            Config = ManifestJson.ReadDescriptor(ref reader, body, new("config", -1), _keepDescriptorAnnotations);
        }
        else if (reader.ValueTextEquals("layers"u8))
        {
            ManifestJson.MarkSeen(ref seen, 8, "layers");
            reader.Read();
            Layers = ManifestJson.ReadDescriptorArray(ref reader, body, "layers", _keepDescriptorAnnotations);
        }
        else if (reader.ValueTextEquals("manifests"u8))
        {
            ManifestJson.MarkSeen(ref seen, 16, "manifests");
            reader.Read();
            Manifests = ManifestJson.ReadDescriptorArray(ref reader, body, "manifests", _keepDescriptorAnnotations);
        }
        else if (reader.ValueTextEquals("subject"u8))
        {
            ManifestJson.MarkSeen(ref seen, 32, "subject");
            reader.Read();
            Subject = ManifestJson.ReadDescriptor(ref reader, body, new("subject", -1), _keepDescriptorAnnotations);
        }
        else if (reader.ValueTextEquals("artifactType"u8))
        {
            ManifestJson.MarkSeen(ref seen, 64, "artifactType");
            reader.Read();
            ArtifactType = ManifestJson.ReadString(ref reader, "artifactType");
        }
        else if (reader.ValueTextEquals("annotations"u8))
        {
            ManifestJson.MarkSeen(ref seen, 128, "annotations");
            reader.Read();
            Annotations = ManifestJson.ReadAnnotations(ref reader, "annotations");
        }
        else
        {
            reader.Read();
            reader.Skip();
        }
    }
}
