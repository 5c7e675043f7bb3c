namespace OrleansRegistry.Core.References;

/// <summary>
/// A set of tags as policies name them: the tag alphabet (<c>[a-zA-Z0-9_.-]</c>) with <c>*</c> (any run
/// of characters, none included) and <c>?</c> (exactly one), case-sensitive as tags are.
/// <c>v*</c>, <c>release-*</c>, <c>1.?.*</c>.
/// </summary>
public static class TagGlob
{
    public static bool IsValid(string? glob)
    {
        if (string.IsNullOrEmpty(glob) || glob.Length > Tag.MaxLength)
        {
            return false;
        }

        foreach (var c in glob)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-' or '*' or '?'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Does <paramref name="glob"/> match all of <paramref name="tag"/>? Greedy with one backtrack point
    /// (the last <c>*</c>), so the cost is at most glob length × tag length, never exponential.
    /// </summary>
    public static bool Matches(string glob, string tag)
    {
        int g = 0, t = 0, star = -1, resume = 0;
        while (t < tag.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || glob[g] == tag[t]))
            {
                g++;
                t++;
            }
            else if (g < glob.Length && glob[g] == '*')
            {
                star = g++;
                resume = t;
            }
            else if (star >= 0)
            {
                // The last * takes one more character of the tag; the rest of the glob starts again after it.
                g = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (g < glob.Length && glob[g] == '*')
        {
            g++;
        }

        return g == glob.Length;
    }
}
