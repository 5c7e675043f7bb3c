using System.Text;
using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// Names in the container: <c>uploads/&lt;uploadId&gt;</c> is the block blob an upload stages into, and
/// after its commit the content itself; <c>journals/&lt;uploadId&gt;</c> is the append blob of its
/// journal; <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c> holds content put in one call (manifests). A part is
/// <c>&lt;attempt&gt;-&lt;index&gt;</c> (32 hex digits, a dash, 6 digits); its block id is the base64
/// of that text, so every block id of every blob has the same length, as Azure requires within one
/// blob. Every name that comes from outside is checked here.
/// </summary>
internal static class AzureBlobNames
{
    public const string UploadsPrefix = "uploads/";
    public const string BlobsPrefix = "blobs/";
    public const string JournalsPrefix = "journals/";

    private const int MaxIdLength = 64;
    private const int AttemptLength = 32;
    private const int IndexDigits = 6;
    private const int PartLength = AttemptLength + 1 + IndexDigits;

    /// <summary>The most blocks one attempt can stage (6 decimal digits of block index).</summary>
    public const int MaxBlocksPerAttempt = 1_000_000;

    public static string UploadBlob(string uploadId) => UploadsPrefix + Checked(uploadId);

    public static string JournalBlob(string uploadId) => JournalsPrefix + Checked(uploadId);

    /// <summary>The upload id of a blob name under <paramref name="prefix"/> (default <c>uploads/</c>), or null for any other name.</summary>
    public static string? UploadIdOf(string blobName, string prefix = UploadsPrefix)
    {
        if (!blobName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = blobName[prefix.Length..];
        return IsValidId(id) ? id : null;
    }

    public static BlobLocation ContentLocation(Digest digest)
    {
        if (digest.Hex is null)
        {
            throw new ArgumentException("the digest is empty", nameof(digest));
        }

        return new BlobLocation($"{BlobsPrefix}{digest.Algorithm.Name()}/{digest.Hex}");
    }

    /// <summary>
    /// The blob name of a location, which must be <c>uploads/&lt;valid id&gt;</c> or
    /// <c>blobs/&lt;alg&gt;/&lt;hex of that algorithm&gt;</c>; anything else is an <see cref="ArgumentException"/>.
    /// </summary>
    public static string BlobOf(BlobLocation location, out bool isUpload)
    {
        var value = location.Value;
        isUpload = false;
        if (value is not null)
        {
            if (UploadIdOf(value) is not null)
            {
                isUpload = true;
                return value;
            }

            if (value.StartsWith(BlobsPrefix, StringComparison.Ordinal))
            {
                var rest = value[BlobsPrefix.Length..];
                var slash = rest.IndexOf('/');
                if (slash > 0 && Digest.TryParse(string.Concat(rest.AsSpan(0, slash), ":", rest.AsSpan(slash + 1)), out _))
                {
                    return value;
                }
            }
        }

        throw new ArgumentException($"'{value}' is not a location of this blob store", nameof(location));
    }

    public static string NewAttempt() => Guid.NewGuid().ToString("N");

    public static string Part(string attempt, int index) => $"{attempt}-{index:D6}";

    /// <summary>The block id of a part this store handed out; <see cref="ArgumentException"/> for anything else.</summary>
    public static string BlockIdOf(string part)
    {
        if (!IsPart(part))
        {
            throw new ArgumentException($"'{part}' is not a part of this blob store", "parts");
        }

        return Convert.ToBase64String(Encoding.ASCII.GetBytes(part));
    }

    public static string[] BlockIdsOf(IReadOnlyList<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var ids = new string[parts.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = BlockIdOf(parts[i]);
        }

        return ids;
    }

    public static bool IsValidId(string? id)
    {
        if (id is null || id.Length is 0 or > MaxIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Checked(string uploadId) => IsValidId(uploadId)
        ? uploadId
        : throw new ArgumentException(
            $"'{uploadId}' is not a valid upload id: 1 to {MaxIdLength} of A-Z, a-z, 0-9, '-' and '_'", nameof(uploadId));

    private static bool IsPart(string? part)
    {
        if (part is null || part.Length != PartLength || part[AttemptLength] != '-')
        {
            return false;
        }

        for (var i = 0; i < AttemptLength; i++)
        {
            if (!char.IsAsciiHexDigitLower(part[i]))
            {
                return false;
            }
        }

        for (var i = AttemptLength + 1; i < PartLength; i++)
        {
            if (!char.IsAsciiDigit(part[i]))
            {
                return false;
            }
        }

        return true;
    }
}
