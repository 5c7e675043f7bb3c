using OrleansRegistry.Core.Media;

namespace OrleansRegistry.Core.Tests.Media;

public class AcceptNegotiationTests
{
    private const string Oci = MediaTypes.OciManifest;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" , ")]
    [InlineData("*/*")]
    [InlineData("application/*")]
    [InlineData(Oci)]
    [InlineData("APPLICATION/VND.OCI.IMAGE.MANIFEST.V1+JSON")]
    [InlineData(Oci + "; charset=utf-8")]
    [InlineData(MediaTypes.DockerManifest + ", " + Oci)]
    [InlineData(MediaTypes.DockerManifest + "," + MediaTypes.DockerManifestList + "," + Oci + ";q=0.5")]
    [InlineData("text/html, */*;q=0.1")]
    [InlineData(Oci + ";q=bogus")]
    [InlineData("*/*;q=0, " + Oci)]
    public void Accepts(string? accept) => Assert.True(AcceptNegotiation.Accepts(accept, Oci));

    [Theory]
    [InlineData(MediaTypes.DockerManifest)]
    [InlineData(MediaTypes.DockerManifest + ", " + MediaTypes.DockerManifestList)]
    [InlineData("text/*")]
    [InlineData(Oci + ";q=0")]
    [InlineData(Oci + "; q=0.000")]
    [InlineData("*/*, " + Oci + ";q=0")]
    [InlineData("application/*, " + Oci + ";q=0")]
    [InlineData("application/*;q=0, text/plain")]
    [InlineData("application/vnd.oci.image.manifest.v1+jsonx")]
    public void Rejects(string accept) => Assert.False(AcceptNegotiation.Accepts(accept, Oci));
}
