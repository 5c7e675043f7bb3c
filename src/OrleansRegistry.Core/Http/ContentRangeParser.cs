namespace OrleansRegistry.Core.Http;

/// <summary>Parses the <c>Content-Range</c> of an OCI chunked upload PATCH.</summary>
public static class ContentRangeParser
{
    /// <summary>
    /// Accepts the spec's <c>&lt;start&gt;-&lt;end&gt;</c> (inclusive, <c>^[0-9]+-[0-9]+$</c>) and, because
    /// some clients send the RFC 9110 form, a leading <c>bytes </c> unit with an optional
    /// <c>/&lt;total&gt;</c> or <c>/*</c> suffix. Rejects end &lt; start and numbers that overflow.
    /// </summary>
    public static bool TryParseUploadRange(string? value, out long start, out long end)
    {
        start = 0;
        end = 0;
        if (value is null)
        {
            return false;
        }

        var text = value.AsSpan().Trim();
        var hasUnit = text.StartsWith("bytes", StringComparison.OrdinalIgnoreCase)
            && text.Length > 5
            && text[5] is ' ' or '=';
        if (hasUnit)
        {
            text = text[6..].TrimStart();
            var slash = text.IndexOf('/');
            if (slash >= 0)
            {
                var total = text[(slash + 1)..];
                text = text[..slash];
                if (!total.SequenceEqual("*") && !AsciiNumber.TryParse(total, out _))
                {
                    return false;
                }
            }
        }

        var dash = text.IndexOf('-');
        if (dash < 0
            || !AsciiNumber.TryParse(text[..dash], out var first)
            || !AsciiNumber.TryParse(text[(dash + 1)..], out var last)
            || last < first)
        {
            return false;
        }

        start = first;
        end = last;
        return true;
    }
}
