using System.Diagnostics.CodeAnalysis;

namespace OrleansRegistry.Core.References;

/// <summary>Tag validation by the OCI grammar <c>[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}</c>.</summary>
public static class Tag
{
    public const int MaxLength = 128;

    public static bool IsValid([NotNullWhen(true)] string? tag)
    {
        if (string.IsNullOrEmpty(tag) || tag.Length > MaxLength)
        {
            return false;
        }

        if (!char.IsAsciiLetterOrDigit(tag[0]) && tag[0] != '_')
        {
            return false;
        }

        foreach (var c in tag.AsSpan(1))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
