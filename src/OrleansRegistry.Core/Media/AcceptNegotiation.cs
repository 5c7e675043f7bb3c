namespace OrleansRegistry.Core.Media;

/// <summary>
/// Decides whether a manifest stored with one media type may be served to a request's
/// <c>Accept</c> header (RFC 9110 §12.5.1). The registry never converts manifests, so the
/// only question is whether the stored type is acceptable.
/// </summary>
public static class AcceptNegotiation
{
    /// <summary>
    /// True when there is no Accept (null, blank, or nothing parseable) or when the most
    /// specific media range matching <paramref name="storedMediaType"/> (exact, then
    /// <c>type/*</c>, then <c>*/*</c>) has q &gt; 0. Media range parameters other than q are
    /// ignored. Several headers may be passed joined with commas.
    /// False means the client cannot take the manifest; like distribution, the server should
    /// answer 404 MANIFEST_UNKNOWN rather than send a type the client excluded.
    /// </summary>
    public static bool Accepts(string? acceptHeaderValues, string storedMediaType)
    {
        if (string.IsNullOrWhiteSpace(acceptHeaderValues))
        {
            return true;
        }

        var stored = (MediaTypes.StripParameters(storedMediaType) ?? "").AsSpan();
        var storedSlash = stored.IndexOf('/');
        var storedType = storedSlash >= 0 ? stored[..storedSlash] : stored;

        var anyRange = false;
        var bestSpecificity = -1;
        var bestQuality = 0.0;
        var remaining = acceptHeaderValues.AsSpan();
        while (!remaining.IsEmpty)
        {
            var comma = remaining.IndexOf(',');
            var element = comma >= 0 ? remaining[..comma] : remaining;
            remaining = comma >= 0 ? remaining[(comma + 1)..] : default;

            if (!TryParseRange(element, out var type, out var subtype, out var quality))
            {
                continue;
            }

            anyRange = true;
            var specificity = Specificity(type, subtype, stored, storedType);
            if (specificity > bestSpecificity)
            {
                bestSpecificity = specificity;
                bestQuality = quality;
            }
            else if (specificity == bestSpecificity && specificity >= 0)
            {
                bestQuality = Math.Max(bestQuality, quality);
            }
        }

        return !anyRange || (bestSpecificity >= 0 && bestQuality > 0);
    }

    /// <summary>2 exact, 1 type/*, 0 */*, -1 no match.</summary>
    private static int Specificity(ReadOnlySpan<char> type, ReadOnlySpan<char> subtype, ReadOnlySpan<char> stored, ReadOnlySpan<char> storedType)
    {
        if (type.SequenceEqual("*"))
        {
            return subtype.SequenceEqual("*") ? 0 : -1;
        }

        if (!type.Equals(storedType, StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }

        if (subtype.SequenceEqual("*"))
        {
            return 1;
        }

        return stored.Length == type.Length + 1 + subtype.Length
            && stored[(type.Length + 1)..].Equals(subtype, StringComparison.OrdinalIgnoreCase)
            ? 2
            : -1;
    }

    private static bool TryParseRange(ReadOnlySpan<char> element, out ReadOnlySpan<char> type, out ReadOnlySpan<char> subtype, out double quality)
    {
        type = default;
        subtype = default;
        quality = 1;
        var semicolon = element.IndexOf(';');
        var range = (semicolon >= 0 ? element[..semicolon] : element).Trim();
        var slash = range.IndexOf('/');
        if (slash <= 0 || slash == range.Length - 1)
        {
            return false;
        }

        type = range[..slash].Trim();
        subtype = range[(slash + 1)..].Trim();
        var parameters = semicolon >= 0 ? element[(semicolon + 1)..] : default;
        while (!parameters.IsEmpty)
        {
            var next = parameters.IndexOf(';');
            var parameter = (next >= 0 ? parameters[..next] : parameters).Trim();
            parameters = next >= 0 ? parameters[(next + 1)..] : default;
            var equals = parameter.IndexOf('=');
            if (equals > 0 && parameter[..equals].Trim().Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                // An unreadable q is treated as the default 1 rather than excluding the range.
                quality = double.TryParse(parameter[(equals + 1)..].Trim(), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var q)
                    ? Math.Clamp(q, 0, 1)
                    : 1;
            }
        }

        return true;
    }
}
