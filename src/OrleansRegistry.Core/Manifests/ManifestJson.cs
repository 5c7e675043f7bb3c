using System.Text;
using System.Text.Json;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Manifests;

/// <summary>
/// Reading pieces of a manifest with a <see cref="Utf8JsonReader"/> positioned on a value.
/// Every method leaves the reader on the last token of the value it read. Duplicate keys
/// are rejected: two parsers must never disagree about which value counts.
/// </summary>
/// <remarks>
/// A manifest of 4 MiB holds tens of thousands of descriptors, so the per-descriptor path is
/// allocation-frugal: JSON paths for error messages are built only when an error is thrown,
/// well-known media types are returned as their constants, digests are parsed from the UTF-8
/// bytes, and descriptor annotations are only validated unless the caller wants them.
/// </remarks>
internal static class ManifestJson
{
    private static readonly (byte[] Utf8, string Value)[] KnownMediaTypes =
    [
        .. new[]
        {
            MediaTypes.OciLayerTarGzip,
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+zstd",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            MediaTypes.OciConfig,
            MediaTypes.DockerContainerConfig,
            MediaTypes.OciManifest,
            MediaTypes.OciIndex,
            MediaTypes.DockerManifest,
            MediaTypes.DockerManifestList,
            MediaTypes.OciEmpty,
        }.Select(m => (Encoding.UTF8.GetBytes(m), m)),
    ];

    /// <summary>Most annotation objects are small: duplicates among up to this many keys are found without allocating.</summary>
    private const int InlineKeys = 16;

    public static string ReadString(ref Utf8JsonReader reader, string path) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new ManifestFormatException($"{path} must be a string");

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

    /// <summary>
    /// Validates an annotations object exactly as <see cref="ReadAnnotations"/> does (an object of
    /// string values, no key twice) without keeping it.
    /// </summary>
    private static void ValidateAnnotations(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, JsonPath path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ManifestFormatException($"{path.Field("annotations")} must be an object");
        }

        var start = reader;
        Span<(int Start, int Length)> keys = stackalloc (int, int)[InlineKeys];
        var count = 0;
        while (NextProperty(ref reader))
        {
            if (count == InlineKeys || reader.ValueIsEscaped)
            {
                // Many keys, or escapes that make raw bytes incomparable: the exact, allocating check.
                reader = start;
                ReadAnnotations(ref reader, path.Field("annotations"));
                return;
            }

            var key = ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
            var keyBytes = body.Slice(key.Item1, key.Item2);
            for (var i = 0; i < count; i++)
            {
                if (body.Slice(keys[i].Start, keys[i].Length).SequenceEqual(keyBytes))
                {
                    throw new ManifestFormatException(
                        $"duplicate annotation \"{Truncate(reader.GetString()!)}\" in {path.Field("annotations")}");
                }
            }

            keys[count++] = key;
            var name = reader;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new ManifestFormatException(
                    $"{path.Field("annotations")}[\"{Truncate(name.GetString()!)}\"] must be a string");
            }
        }
    }

    public static Descriptor ReadDescriptor(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string path) =>
        ReadDescriptor(ref reader, body, new JsonPath(path, -1), keepAnnotations: true);

    public static Descriptor ReadDescriptor(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, JsonPath path, bool keepAnnotations)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new ManifestFormatException($"{path} must be an object");
        }

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
                Mark(ref seen, 1, path, "mediaType");
                reader.Read();
                mediaType = ReadMediaType(ref reader, path);
            }
            else if (reader.ValueTextEquals("digest"u8))
            {
                Mark(ref seen, 2, path, "digest");
                reader.Read();
                digest = ReadDigest(ref reader, path);
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                Mark(ref seen, 4, path, "size");
                reader.Read();
                size = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0
                    ? value
                    : throw new ManifestFormatException($"{path.Field("size")} must be a non-negative integer");
            }
            else if (reader.ValueTextEquals("artifactType"u8))
            {
                Mark(ref seen, 8, path, "artifactType");
                reader.Read();
                artifactType = reader.TokenType == JsonTokenType.String
                    ? reader.GetString()!
                    : throw new ManifestFormatException($"{path.Field("artifactType")} must be a string");
            }
            else if (reader.ValueTextEquals("annotations"u8))
            {
                Mark(ref seen, 16, path, "annotations");
                reader.Read();
                if (keepAnnotations)
                {
                    annotations = ReadAnnotations(ref reader, path.Field("annotations"));
                }
                else
                {
                    ValidateAnnotations(ref reader, body, path);
                }
            }
            else if (reader.ValueTextEquals("platform"u8))
            {
                Mark(ref seen, 32, path, "platform");
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new ManifestFormatException($"{path.Field("platform")} must be an object");
                }

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

    public static List<Descriptor> ReadDescriptorArray(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, string path, bool keepAnnotations)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new ManifestFormatException($"{path} must be an array");
        }

        var descriptors = new List<Descriptor>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            descriptors.Add(ReadDescriptor(ref reader, body, new JsonPath(path, descriptors.Count), keepAnnotations));
        }

        return descriptors;
    }

    /// <summary>Keeps error messages bounded when echoing client input.</summary>
    public static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";

    private static void Mark(ref int seen, int flag, JsonPath path, string field)
    {
        if ((seen & flag) != 0)
        {
            throw new ManifestFormatException($"duplicate property {path.Field(field)}");
        }

        seen |= flag;
    }

    private static string ReadMediaType(ref Utf8JsonReader reader, JsonPath path)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new ManifestFormatException($"{path.Field("mediaType")} must be a string");
        }

        if (!reader.ValueIsEscaped)
        {
            var value = reader.ValueSpan;
            foreach (var (utf8, known) in KnownMediaTypes)
            {
                if (value.SequenceEqual(utf8))
                {
                    return known;
                }
            }
        }

        return reader.GetString()!;
    }

    private static Digest ReadDigest(ref Utf8JsonReader reader, JsonPath path)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new ManifestFormatException($"{path.Field("digest")} must be a string");
        }

        if (!reader.ValueIsEscaped && Digest.TryParseUtf8(reader.ValueSpan, out var digest))
        {
            return digest;
        }

        var text = reader.GetString()!;
        return Digest.TryParse(text, out digest)
            ? digest
            : throw new ManifestFormatException($"{path.Field("digest")} '{Truncate(text)}' is not a valid sha256/sha512 digest");
    }

    /// <summary>Where a descriptor is (<c>layers[3]</c>, <c>config</c>), turned into text only for an error message.</summary>
    internal readonly record struct JsonPath(string Parent, int Index)
    {
        public override string ToString() => Index < 0 ? Parent : $"{Parent}[{Index}]";

        public string Field(string name) => $"{this}.{name}";
    }
}
