using System.Diagnostics.CodeAnalysis;

namespace OrleansRegistry.Core.References;

/// <summary>
/// Repository name validation by the OCI grammar
/// <c>[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*</c>.
/// Hand-written single pass: linear time whatever the input, no regex backtracking.
/// </summary>
public static class RepositoryName
{
    /// <summary>
    /// The spec only says clients commonly cap host + "/" + name at 255; distribution caps the
    /// name itself at 255 and so do we, which also keeps names usable as storage keys.
    /// </summary>
    public const int MaxLength = 255;

    public static bool IsValid([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        var i = 0;
        while (true)
        {
            // An alphanumeric run must start here: at the start, after '/' or after a separator.
            if (!IsLowerAlphanumeric(name[i]))
            {
                return false;
            }

            while (i < name.Length && IsLowerAlphanumeric(name[i]))
            {
                i++;
            }

            if (i == name.Length)
            {
                return true;
            }

            switch (name[i])
            {
                case '/' or '.':
                    i++;
                    break;
                case '_':
                    i += i + 1 < name.Length && name[i + 1] == '_' ? 2 : 1;
                    break;
                case '-':
                    while (i < name.Length && name[i] == '-')
                    {
                        i++;
                    }

                    break;
                default:
                    return false;
            }

            if (i == name.Length)
            {
                return false;
            }
        }
    }

    private static bool IsLowerAlphanumeric(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c);
}
