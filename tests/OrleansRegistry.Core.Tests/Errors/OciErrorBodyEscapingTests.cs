using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Core.Tests.Errors;

public class OciErrorBodyEscapingTests
{
    [Fact]
    public void MediaTypesAreNotEscaped() =>
        Assert.Contains(
            "application/vnd.oci.image.manifest.v1+json",
            OciErrorBody.ToJson(new OciError(OciErrorCode.Unsupported, "unsupported application/vnd.oci.image.manifest.v1+json")));
}
