using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Core.Tests.Digests;

public class DigestStrictnessTests
{
    [Theory]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b")]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:e3b0")]
    public void RejectsNonCanonicalDigests(string value) => Assert.False(Digest.TryParse(value, out _));
}
