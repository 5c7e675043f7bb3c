namespace OrleansRegistry.Core.Errors;

public static class OciErrorCodes
{
    /// <summary>The wire identifier, e.g. <c>BLOB_UNKNOWN</c>.</summary>
    public static string Code(this OciErrorCode code) => code switch
    {
        OciErrorCode.BlobUnknown => "BLOB_UNKNOWN",
        OciErrorCode.BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
        OciErrorCode.BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
        OciErrorCode.DigestInvalid => "DIGEST_INVALID",
        OciErrorCode.ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
        OciErrorCode.ManifestInvalid => "MANIFEST_INVALID",
        OciErrorCode.ManifestUnknown => "MANIFEST_UNKNOWN",
        OciErrorCode.NameInvalid => "NAME_INVALID",
        OciErrorCode.NameUnknown => "NAME_UNKNOWN",
        OciErrorCode.SizeInvalid => "SIZE_INVALID",
        OciErrorCode.Unauthorized => "UNAUTHORIZED",
        OciErrorCode.Denied => "DENIED",
        OciErrorCode.Unsupported => "UNSUPPORTED",
        OciErrorCode.TooManyRequests => "TOOMANYREQUESTS",
        OciErrorCode.TagInvalid => "TAG_INVALID",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    /// <summary>
    /// The usual HTTP status for the code. Callers pick a different one where the spec asks
    /// for it (416 for an out-of-order upload chunk, 415 for an unsupported media type).
    /// </summary>
    public static int DefaultStatus(this OciErrorCode code) => code switch
    {
        OciErrorCode.BlobUnknown => 404,
        OciErrorCode.BlobUploadInvalid => 400,
        OciErrorCode.BlobUploadUnknown => 404,
        OciErrorCode.DigestInvalid => 400,
        OciErrorCode.ManifestBlobUnknown => 400,
        OciErrorCode.ManifestInvalid => 400,
        OciErrorCode.ManifestUnknown => 404,
        OciErrorCode.NameInvalid => 400,
        OciErrorCode.NameUnknown => 404,
        OciErrorCode.SizeInvalid => 400,
        OciErrorCode.Unauthorized => 401,
        OciErrorCode.Denied => 403,
        OciErrorCode.Unsupported => 405,
        OciErrorCode.TooManyRequests => 429,
        OciErrorCode.TagInvalid => 400,
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    /// <summary>The spec's description of the code, used when no better message is at hand.</summary>
    public static string DefaultMessage(this OciErrorCode code) => code switch
    {
        OciErrorCode.BlobUnknown => "blob unknown to registry",
        OciErrorCode.BlobUploadInvalid => "blob upload invalid",
        OciErrorCode.BlobUploadUnknown => "blob upload unknown to registry",
        OciErrorCode.DigestInvalid => "provided digest did not match uploaded content",
        OciErrorCode.ManifestBlobUnknown => "manifest references a manifest or blob unknown to registry",
        OciErrorCode.ManifestInvalid => "manifest invalid",
        OciErrorCode.ManifestUnknown => "manifest unknown to registry",
        OciErrorCode.NameInvalid => "invalid repository name",
        OciErrorCode.NameUnknown => "repository name not known to registry",
        OciErrorCode.SizeInvalid => "provided length did not match content length",
        OciErrorCode.Unauthorized => "authentication required",
        OciErrorCode.Denied => "requested access to the resource is denied",
        OciErrorCode.Unsupported => "the operation is unsupported",
        OciErrorCode.TooManyRequests => "too many requests",
        OciErrorCode.TagInvalid => "manifest tag is invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };
}
