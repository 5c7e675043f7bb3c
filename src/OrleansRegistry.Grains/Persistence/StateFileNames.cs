using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Orleans.Runtime;

namespace OrleansRegistry.Grains.Persistence;

/// <summary>
/// Maps (grain id, state name) to a file path below the root directory. Uniqueness comes from a
/// SHA-256 over the raw grain type, grain key and state name; the readable parts of the names
/// are escaped, truncated decorations only, so any key (with '/', ':', '@', "..", control or
/// non-ASCII characters, any length) yields a short, portable file name.
/// </summary>
internal static class StateFileNames
{
    /// <summary>Extension of committed state files.</summary>
    public const string Extension = ".state";

    /// <summary>Extension of temporary files; these always start with '.' as well.</summary>
    public const string TempExtension = ".tmp";

    private const int MaxTypeDirectoryChars = 64;
    private const int MaxReadablePrefixChars = 64;

    /// <summary>The directory for the grain type, relative to the root.</summary>
    public static string TypeDirectoryName(GrainType grainType)
    {
        var raw = grainType.ToString() ?? "";
        var escaped = Escape(raw, MaxTypeDirectoryChars);
        if (escaped.Length == 0 || !string.Equals(escaped, raw, StringComparison.Ordinal))
        {
            // Lossy escaping (or truncation): disambiguate with a short hash of the raw type.
            var hash = SHA256.HashData(grainType.AsSpan());
            escaped = $"{Escape(raw, MaxTypeDirectoryChars - 17)}-{Convert.ToHexStringLower(hash.AsSpan(0, 8))}";
        }

        return escaped;
    }

    /// <summary>The file name (no directory) of the state.</summary>
    public static string FileName(GrainId grainId, string stateName)
    {
        var hash = Hash(grainId, stateName);
        var readable = Escape($"{stateName}_{grainId.Key}", MaxReadablePrefixChars);
        return $"{readable}-{hash}{Extension}";
    }

    /// <summary>Lower-case hex SHA-256 identifying (grain id, state name) unambiguously.</summary>
    public static string Hash(GrainId grainId, string stateName)
    {
        var type = grainId.Type.AsSpan();
        var key = grainId.Key.AsSpan();
        var state = Encoding.UTF8.GetBytes(stateName);

        // Length-prefixed fields, so no two different triples can produce the same input.
        var input = new byte[12 + type.Length + key.Length + state.Length];
        var span = input.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, type.Length);
        type.CopyTo(span[4..]);
        span = span[(4 + type.Length)..];
        BinaryPrimitives.WriteInt32LittleEndian(span, key.Length);
        key.CopyTo(span[4..]);
        span = span[(4 + key.Length)..];
        BinaryPrimitives.WriteInt32LittleEndian(span, state.Length);
        state.CopyTo(span[4..]);

        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>
    /// Keeps [A-Za-z0-9._-], replaces anything else by '_', never starts with '.', and truncates.
    /// </summary>
    internal static string Escape(string value, int maxChars)
    {
        var length = Math.Min(value.Length, maxChars);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            var keep = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.';
            builder.Append(keep ? c : '_');
        }

        if (builder.Length > 0 && builder[0] == '.')
        {
            builder[0] = '_';
        }

        return builder.ToString();
    }
}
