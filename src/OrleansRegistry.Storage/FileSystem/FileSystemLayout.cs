using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// Where things live under the root: <c>blobs/&lt;alg&gt;/&lt;first two hex&gt;/&lt;hex&gt;</c> for content,
/// <c>uploads/&lt;uploadId&gt;/data</c> for an upload's staged bytes (its parts are ranges of that file,
/// see <see cref="StagedRange"/>), <c>tmp/</c> for files being built.
/// Every name that comes from outside is checked here, so no caller can escape the root.
/// </summary>
internal sealed class FileSystemLayout
{
    private const string BlobsFolder = "blobs";
    private const int MaxIdLength = 64;
    private const string DataFileName = "data";
    private static readonly DigestAlgorithm[] Algorithms = Enum.GetValues<DigestAlgorithm>();

    public FileSystemLayout(string rootPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        RootPath = Path.GetFullPath(rootPath);
        BlobsPath = Path.Combine(RootPath, BlobsFolder);
        UploadsPath = Path.Combine(RootPath, "uploads");
        TempPath = Path.Combine(RootPath, "tmp");
    }

    public string RootPath { get; }

    public string BlobsPath { get; }

    public string UploadsPath { get; }

    public string TempPath { get; }

    public IEnumerable<string> AlgorithmPaths =>
        Algorithms.Select(algorithm => Path.Combine(BlobsPath, algorithm.Name()));

    public string UploadPath(string uploadId)
    {
        ThrowIfInvalidId(uploadId, nameof(uploadId));
        return Path.Combine(UploadsPath, uploadId);
    }

    /// <summary>The single file an upload's chunks are appended to.</summary>
    public static string DataPath(string uploadPath) => Path.Combine(uploadPath, DataFileName);

    /// <summary>How an upload's staged bytes are named in errors.</summary>
    public static string StagedName(string uploadId) => $"uploads/{uploadId}/{DataFileName}";

    public string NewTempFilePath() => Path.Combine(TempPath, Guid.NewGuid().ToString("N"));

    public static BlobLocation LocationOf(Digest digest)
    {
        if (digest.Hex is null)
        {
            throw new ArgumentException("the digest is empty", nameof(digest));
        }

        return new BlobLocation($"{BlobsFolder}/{digest.Algorithm.Name()}/{digest.Hex[..2]}/{digest.Hex}");
    }

    /// <summary>The full path of a location, which must be exactly what <see cref="LocationOf"/> makes.</summary>
    public string ContentPath(BlobLocation location)
    {
        if (!IsContentLocation(location.Value))
        {
            throw new ArgumentException($"'{location.Value}' is not a location of this blob store", nameof(location));
        }

        return Path.Combine(RootPath, location.Value);
    }

    /// <summary>Every content file under <c>blobs/</c> whose name is a digest of its folder's algorithm.</summary>
    public IEnumerable<StoredContent> ListContent(CancellationToken cancellationToken)
    {
        foreach (var algorithm in Algorithms)
        {
            var folder = new DirectoryInfo(Path.Combine(BlobsPath, algorithm.Name()));
            if (!folder.Exists)
            {
                continue;
            }

            foreach (var file in folder.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var location = Path.GetRelativePath(RootPath, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (IsContentLocation(location))
                {
                    yield return new StoredContent(new BlobLocation(location), $"{algorithm.Name()}:{file.Name}", file.Length, file.LastWriteTimeUtc);
                }
            }
        }
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

    private static void ThrowIfInvalidId(string id, string paramName)
    {
        if (!IsValidId(id))
        {
            throw new ArgumentException($"'{id}' is not a valid id: 1 to {MaxIdLength} of A-Z, a-z, 0-9, '-' and '_'", paramName);
        }
    }

    // Parsed by hand rather than by rebuilding the location, to read without allocating.
    private static bool IsContentLocation(string? value)
    {
        if (value is null || !value.StartsWith(BlobsFolder + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value.AsSpan(BlobsFolder.Length + 1);
        var slash = rest.IndexOf('/');
        if (slash < 0 || !TryParseAlgorithm(rest[..slash], out var algorithm))
        {
            return false;
        }

        rest = rest[(slash + 1)..];
        if (rest.Length < 3 || rest[2] != '/')
        {
            return false;
        }

        var prefix = rest[..2];
        var hex = rest[3..];
        return hex.Length == algorithm.HexLength() && hex.StartsWith(prefix) && IsLowerHex(hex);
    }

    private static bool TryParseAlgorithm(ReadOnlySpan<char> name, out DigestAlgorithm algorithm)
    {
        foreach (var candidate in Algorithms)
        {
            if (name.SequenceEqual(candidate.Name()))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = default;
        return false;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> hex)
    {
        foreach (var c in hex)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
