using System.Text.Json;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Core.Tests.Errors;

public class OciErrorBodyTests
{
    [Fact]
    public void WritesCodeMessageAndOmitsNullDetail()
    {
        var json = OciErrorBody.ToJson(OciError.Of(OciErrorCode.BlobUnknown));
        Assert.Equal("""{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}""", json);
    }

    [Fact]
    public void WritesSeveralErrorsWithDetails()
    {
        var json = OciErrorBody.ToJson(
            new OciError(OciErrorCode.ManifestBlobUnknown, "missing", new { digest = "sha256:abc" }),
            new OciError(OciErrorCode.NameInvalid, "bad \"name\"", "Foo"));
        using var doc = JsonDocument.Parse(json);
        var errors = doc.RootElement.GetProperty("errors");
        Assert.Equal(2, errors.GetArrayLength());
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", errors[0].GetProperty("code").GetString());
        Assert.Equal("sha256:abc", errors[0].GetProperty("detail").GetProperty("digest").GetString());
        Assert.Equal("bad \"name\"", errors[1].GetProperty("message").GetString());
        Assert.Equal("Foo", errors[1].GetProperty("detail").GetString());
    }

    [Fact]
    public void EmptyListIsAnEmptyArray()
    {
        Assert.Equal("""{"errors":[]}""", OciErrorBody.ToJson());
    }

    [Fact]
    public void ExceptionCarriesStatusAndErrors()
    {
        var ex = new OciException(OciErrorCode.BlobUploadInvalid, "out of order", statusCode: 416);
        Assert.Equal(416, ex.StatusCode);
        Assert.Equal(OciErrorCode.BlobUploadInvalid, ex.Code);
        Assert.Equal("out of order", Assert.Single(ex.Errors).Message);

        var defaults = new OciException(OciErrorCode.NameUnknown);
        Assert.Equal(404, defaults.StatusCode);
        Assert.Equal(OciErrorCode.NameUnknown.DefaultMessage(), defaults.Errors[0].Message);
    }
}
