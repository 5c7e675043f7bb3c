namespace OrleansRegistry.Core.Http;

/// <summary>Parses a GET/HEAD <c>Range</c> header (RFC 9110 §14.2) for blob downloads.</summary>
public static class RangeHeaderParser
{
    /// <summary>
    /// Returns true with the (start, length) to send for a single satisfiable
    /// <c>bytes=a-b</c>, <c>bytes=a-</c> or <c>bytes=-suffix</c> range (clamped to the content).
    /// Returns false otherwise, with <paramref name="unsatisfiable"/> telling the caller what
    /// to do: true → 416 with <c>Content-Range: bytes */length</c>; false → ignore the header
    /// and send the whole content with 200. Multiple ranges, other units and malformed or
    /// backwards ranges are all "ignore", which RFC 9110 permits.
    /// </summary>
    public static bool TryParse(string? rangeHeader, long length, out (long Start, long Length) range, out bool unsatisfiable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        range = default;
        unsatisfiable = false;
        if (rangeHeader is null)
        {
            return false;
        }

        var text = rangeHeader.AsSpan().Trim();
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        text = text[6..].Trim();
        var dash = text.IndexOf('-');
        if (dash < 0 || text.Contains(','))
        {
            return false;
        }

        var firstText = text[..dash].Trim();
        var lastText = text[(dash + 1)..].Trim();
        if (firstText.IsEmpty)
        {
            // Suffix range: the final N bytes. N = 0 or empty content cannot be satisfied.
            if (!AsciiNumber.TryParseSaturating(lastText, out var suffix))
            {
                return false;
            }

            if (suffix == 0 || length == 0)
            {
                unsatisfiable = true;
                return false;
            }

            var take = Math.Min(suffix, length);
            range = (length - take, take);
            return true;
        }

        if (!AsciiNumber.TryParseSaturating(firstText, out var first))
        {
            return false;
        }

        var last = long.MaxValue;
        if (!lastText.IsEmpty && (!AsciiNumber.TryParseSaturating(lastText, out last) || last < first))
        {
            return false;
        }

        if (first >= length)
        {
            unsatisfiable = true;
            return false;
        }

        var end = Math.Min(last, length - 1);
        range = (first, end - first + 1);
        return true;
    }
}
