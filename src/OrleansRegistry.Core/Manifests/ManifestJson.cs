using System.Text;
using System.Text.Json;
using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Core.Manifests;

/// <summary>
/// Reading pieces of a manifest with a <see cref="Utf8JsonReader"/> positioned on a value.
/// Every method leaves the reader on the last token of the value it read. Duplicate keys
/// are rejected: two parsers must never disagree about which value counts.
/// </summary>
internal static class ManifestJson
{
    public static string ReadString(ref Utf8JsonReader reader, string path) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new ManifestFormatException($"{path} must be a string");

    public static long ReadNonNegativeInteger(ref Utf8JsonReader reader, string path) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0
            ? value
            : throw new ManifestFormatException($"{path} must be a non-negative integer");

    public static Digest ReadDigest(ref Utf8JsonReader reader, string path)
    {
        var text = ReadString(ref reader, path);
        return Digest.TryParse(text, out var digest)
            ? digest
            : throw new ManifestFormatException($"{path} '{Truncate(text)}' is not a valid sha256/sha512 digest");
    }

    public static void ExpectStartObject(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ManifestFormatException($"{path} must be an object");
        }
    }

    /// <summary>Moves to the next property name, or returns false at the end of the object.</summary>
    public static bool NextProperty(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>Marks a known property as seen (bit <paramref name="flag"/>), rejecting repeats.</summary>
    public static void MarkSeen(ref int seen, int flag, string path)
    {
        if ((seen & flag) != 0)
        {
            throw new ManifestFormatException($"duplicate property {path}");
        }

        seen |= flag;
    }

    public static Dictionary<string, string> ReadAnnotations(ref Utf8JsonReader reader, string path)
    {
        ExpectStartObject(ref reader, path);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        while (NextProperty(ref reader))
        {
            var key = reader.GetString()!;
            reader.Read();
            if (!annotations.TryAdd(key, ReadString(ref reader, $"{path}[\"{Truncate(key)}\"]")))
            {
                throw new ManifestFormatException($"duplicate annotation \"{Truncate(key)}\" in {path}");
            }
        }

        return annotations;
    }

    public static Descriptor ReadDescriptor(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string path)
    {
        ExpectStartObject(ref reader, path);
        string? mediaType = null;
        Digest? digest = null;
        long? size = null;
        string? artifactType = null;
        IReadOnlyDictionary<string, string>? annotations = null;
        string? platform = null;
        var seen = 0;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("mediaType"u8))
            {
                MarkSeen(ref seen, 1, $"{path}.mediaType");
                reader.Read();
                mediaType = ReadString(ref reader, $"{path}.mediaType");
            }
            else if (reader.ValueTextEquals("digest"u8))
            {
                MarkSeen(ref seen, 2, $"{path}.digest");
                reader.Read();
                digest = ReadDigest(ref reader, $"{path}.digest");
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                MarkSeen(ref seen, 4, $"{path}.size");
                reader.Read();
                size = ReadNonNegativeInteger(ref reader, $"{path}.size");
            }
            else if (reader.ValueTextEquals("artifactType"u8))
            {
                MarkSeen(ref seen, 8, $"{path}.artifactType");
                reader.Read();
                artifactType = ReadString(ref reader, $"{path}.artifactType");
            }
            else if (reader.ValueTextEquals("annotations"u8))
            {
                MarkSeen(ref seen, 16, $"{path}.annotations");
                reader.Read();
                annotations = ReadAnnotations(ref reader, $"{path}.annotations");
            }
            else if (reader.ValueTextEquals("platform"u8))
            {
                MarkSeen(ref seen, 32, $"{path}.platform");
                reader.Read();
                ExpectStartObject(ref reader, $"{path}.platform");
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                platform = Encoding.UTF8.GetString(body[start..(int)reader.BytesConsumed]);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (mediaType is null || digest is null || size is null)
        {
            var missing = mediaType is null ? "mediaType" : digest is null ? "digest" : "size";
            throw new ManifestFormatException($"{path} is missing {missing}");
        }

        return new Descriptor(mediaType, digest.Value, size.Value, artifactType, annotations, platform);
    }

    public static List<Descriptor> ReadDescriptorArray(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string path)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new ManifestFormatException($"{path} must be an array");
        }

        var descriptors = new List<Descriptor>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            descriptors.Add(ReadDescriptor(ref reader, body, $"{path}[{descriptors.Count}]"));
        }

        return descriptors;
    }

    /// <summary>Keeps error messages bounded when echoing client input.</summary>
    public static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
