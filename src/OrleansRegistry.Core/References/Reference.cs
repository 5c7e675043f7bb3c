using System.Diagnostics.CodeAnalysis;
using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Core.References;

/// <summary>The <c>&lt;reference&gt;</c> of a manifest URL: either a tag or a digest.</summary>
public readonly record struct Reference
{
    private Reference(string? tag, Digest? digest)
    {
        Tag = tag;
        Digest = digest;
    }

    [MemberNotNullWhen(false, nameof(Tag))]
    [MemberNotNullWhen(true, nameof(Digest))]
    public bool IsDigest => Digest is not null;

    public string? Tag { get; }

    public Digest? Digest { get; }

    public static Reference FromTag(string tag) =>
        References.Tag.IsValid(tag) ? new(tag, null) : throw new ArgumentException($"invalid tag '{tag}'", nameof(tag));

    public static Reference FromDigest(Digest digest) => new(null, digest);

    /// <summary>
    /// A value with ':' can only be a digest (tags never contain ':'), so it is parsed
    /// strictly as one; anything else must be a valid tag.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Reference reference)
    {
        reference = default;
        if (value is null)
        {
            return false;
        }

        if (LooksLikeDigest(value))
        {
            if (!Digests.Digest.TryParse(value, out var digest))
            {
                return false;
            }

            reference = new(null, digest);
            return true;
        }

        if (!References.Tag.IsValid(value))
        {
            return false;
        }

        reference = new(value, null);
        return true;
    }

    /// <summary>
    /// True when the value is meant as a digest, so a failed parse can be reported as
    /// DIGEST_INVALID rather than as a bad tag.
    /// </summary>
    public static bool LooksLikeDigest(string value) => value.Contains(':');

    public override string ToString() => IsDigest ? Digest.Value.ToString() : Tag ?? "";
}
