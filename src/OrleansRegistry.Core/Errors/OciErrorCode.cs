namespace OrleansRegistry.Core.Errors;

/// <summary>
/// The error codes of the OCI distribution spec (code-1 .. code-14), and <see cref="TagInvalid"/>, which
/// distribution and Docker clients know for a manifest PUT to a malformed tag.
/// </summary>
public enum OciErrorCode
{
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    TagInvalid,
}
