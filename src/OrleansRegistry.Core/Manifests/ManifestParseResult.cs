using System.Diagnostics.CodeAnalysis;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Core.Manifests;

/// <summary>Either a <see cref="ParsedManifest"/> or an OCI error code with a human-readable detail.</summary>
public sealed class ManifestParseResult
{
    private ManifestParseResult(ParsedManifest? manifest, OciErrorCode errorCode, string? error)
    {
        Manifest = manifest;
        ErrorCode = errorCode;
        Error = error;
    }

    [MemberNotNullWhen(true, nameof(Manifest))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsValid => Manifest is not null;

    public ParsedManifest? Manifest { get; }

    /// <summary>Meaningful only when not <see cref="IsValid"/>; currently always MANIFEST_INVALID.</summary>
    public OciErrorCode ErrorCode { get; }

    /// <summary>Why the manifest was rejected, for the error's detail/message.</summary>
    public string? Error { get; }

    public static ManifestParseResult Ok(ParsedManifest manifest) => new(manifest, default, null);

    public static ManifestParseResult Fail(OciErrorCode code, string error) => new(null, code, error);

    /// <summary>The exception the server turns into the error response.</summary>
    public OciException ToException() =>
        IsValid
            ? throw new InvalidOperationException("the manifest is valid")
            : new OciException(ErrorCode, Error);
}
