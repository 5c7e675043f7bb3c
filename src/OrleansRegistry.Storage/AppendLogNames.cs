namespace OrleansRegistry.Storage;

/// <summary>The rules of <see cref="IAppendLogStore"/> names and appends, checked by every provider.</summary>
public static class AppendLogNames
{
    public const int MaxNameLength = 256;

    /// <summary>The largest append (Azure's largest append block on every service version: 4 MiB).</summary>
    public const int MaxAppendBytes = 4 * 1024 * 1024;

    /// <summary>The name itself, or <see cref="ArgumentException"/> when it is not a valid log name.</summary>
    public static string Checked(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not a log name (segments of A-Z a-z 0-9 . _ - joined by /)", nameof(name));
        }

        return name;
    }

    public static bool IsValid(string name) => name.Length is > 0 and <= MaxNameLength && name.Split('/').All(IsSegment);

    /// <summary>A prefix is a name's beginning: whole segments, each followed by <c>/</c>, then perhaps the start of one more.</summary>
    public static string CheckedPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var segments = prefix.Split('/');
        if (prefix.Length > MaxNameLength || !segments[..^1].All(IsSegment) || (segments[^1].Length > 0 && !IsSegment(segments[^1])))
        {
            throw new ArgumentException($"'{prefix}' is not a log name prefix", nameof(prefix));
        }

        return prefix;
    }

    public static void CheckAppend(ReadOnlyMemory<byte> records)
    {
        if (records.Length is 0 or > MaxAppendBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(records), $"an append holds 1 to {MaxAppendBytes} bytes, not {records.Length}");
        }
    }

    private static bool IsSegment(string segment) => segment.Length > 0 && segment[0] != '.' && segment.All(IsNameChar);

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
