using System.Diagnostics.CodeAnalysis;

namespace OrleansRegistry.Core.References;

/// <summary>
/// The id of an upload session, as this registry hands it out: 32 lower-case hex digits (a GUID).
/// An id from a URL is checked against this form before any grain or storage path is made from it.
/// </summary>
public static class UploadId
{
    public const int Length = 32;

    public static string New() => Guid.NewGuid().ToString("N");

    public static bool IsValid([NotNullWhen(true)] string? id)
    {
        if (id is not { Length: Length })
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
