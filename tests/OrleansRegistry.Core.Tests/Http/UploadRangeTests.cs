using OrleansRegistry.Core.Http;

namespace OrleansRegistry.Core.Tests.Http;

public class UploadRangeTests
{
    [Theory]
    [InlineData(0, "0-0")]
    [InlineData(1, "0-0")]
    [InlineData(100, "0-99")]
    public void FormatsTheCommittedRange(long committed, string expected) =>
        Assert.Equal(expected, UploadRange.Format(committed));

    [Fact]
    public void RejectsNegativeLengths() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => UploadRange.Format(-1));

    [Fact]
    public void FormatsResponseContentRanges()
    {
        Assert.Equal("bytes 10-19/100", ContentRangeHeader.Format(10, 10, 100));
        Assert.Equal("bytes */100", ContentRangeHeader.FormatUnsatisfiable(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContentRangeHeader.Format(95, 10, 100));
    }
}
