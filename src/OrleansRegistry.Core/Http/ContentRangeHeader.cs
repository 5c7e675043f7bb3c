namespace OrleansRegistry.Core.Http;

/// <summary>Response <c>Content-Range</c> values for ranged blob downloads.</summary>
public static class ContentRangeHeader
{
    /// <summary><c>bytes a-b/total</c> for a 206 response.</summary>
    public static string Format(long start, long length, long total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, total);
        return $"bytes {start}-{start + length - 1}/{total}";
    }

    /// <summary><c>bytes */total</c> for a 416 response.</summary>
    public static string FormatUnsatisfiable(long total) => $"bytes */{total}";
}
