namespace OrleansRegistry.Core.Http;

/// <summary>Non-negative decimal numbers as HTTP writes them: ASCII digits only, no sign, no spaces.</summary>
internal static class AsciiNumber
{
    /// <summary>False on empty input, non-digits, or a value above long.MaxValue.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            var digit = c - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }

    /// <summary>
    /// Like <see cref="TryParse"/> but a too-large number saturates to long.MaxValue: a huge
    /// position in a Range header is valid syntax and simply lies past the end.
    /// </summary>
    public static bool TryParseSaturating(ReadOnlySpan<char> text, out long value)
    {
        if (TryParse(text, out value))
        {
            return true;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        value = long.MaxValue;
        return !text.IsEmpty;
    }
}
