using System.Globalization;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// A part of a filesystem upload: the bytes <c>[Start, End)</c> of its data file, named
/// <c>data-&lt;start&gt;-&lt;end&gt;</c> (decimal, no leading zeros), which fits the part-id alphabet.
/// </summary>
internal readonly record struct StagedRange(long Start, long End)
{
    private const string Prefix = "data-";

    public long Length => End - Start;

    public string PartId => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Start}-{End}");

    /// <summary>
    /// Parses a part id. Throws <see cref="ArgumentException"/> for an id outside the part-id alphabet;
    /// false for a valid id that is not a range of this provider (so it was never staged here).
    /// </summary>
    public static bool TryParse(string partId, out StagedRange range)
    {
        range = default;
        if (!FileSystemLayout.IsValidId(partId))
        {
            throw new ArgumentException($"'{partId}' is not a valid part id", "parts");
        }

        if (!partId.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = partId.AsSpan(Prefix.Length);
        var dash = rest.IndexOf('-');
        if (dash < 0
            || !TryParseNumber(rest[..dash], out var start)
            || !TryParseNumber(rest[(dash + 1)..], out var end)
            || end < start)
        {
            return false;
        }

        range = new StagedRange(start, end);
        return true;
    }

    private static bool TryParseNumber(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
