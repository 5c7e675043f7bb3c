using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Core.Tests.Errors;

public class OciErrorCodeTests
{
    [Theory]
    [InlineData(OciErrorCode.BlobUnknown, "BLOB_UNKNOWN", 404)]
    [InlineData(OciErrorCode.BlobUploadInvalid, "BLOB_UPLOAD_INVALID", 400)]
    [InlineData(OciErrorCode.BlobUploadUnknown, "BLOB_UPLOAD_UNKNOWN", 404)]
    [InlineData(OciErrorCode.DigestInvalid, "DIGEST_INVALID", 400)]
    [InlineData(OciErrorCode.ManifestBlobUnknown, "MANIFEST_BLOB_UNKNOWN", 400)]
    [InlineData(OciErrorCode.ManifestInvalid, "MANIFEST_INVALID", 400)]
    [InlineData(OciErrorCode.ManifestUnknown, "MANIFEST_UNKNOWN", 404)]
    [InlineData(OciErrorCode.NameInvalid, "NAME_INVALID", 400)]
    [InlineData(OciErrorCode.NameUnknown, "NAME_UNKNOWN", 404)]
    [InlineData(OciErrorCode.SizeInvalid, "SIZE_INVALID", 400)]
    [InlineData(OciErrorCode.Unauthorized, "UNAUTHORIZED", 401)]
    [InlineData(OciErrorCode.Denied, "DENIED", 403)]
    [InlineData(OciErrorCode.Unsupported, "UNSUPPORTED", 405)]
    [InlineData(OciErrorCode.TooManyRequests, "TOOMANYREQUESTS", 429)]
    [InlineData(OciErrorCode.TagInvalid, "TAG_INVALID", 400)]
    public void CodeAndStatusFollowTheSpec(OciErrorCode code, string wire, int status)
    {
        Assert.Equal(wire, code.Code());
        Assert.Equal(status, code.DefaultStatus());
        Assert.False(string.IsNullOrEmpty(code.DefaultMessage()));
    }

    [Fact]
    public void EveryCodeIsMapped()
    {
        foreach (var code in Enum.GetValues<OciErrorCode>())
        {
            Assert.NotNull(code.Code());
        }
    }
}
