using OrleansRegistry.Core.Http;

namespace OrleansRegistry.Core.Tests.Http;

public class RangeHeaderParserTests
{
    [Theory]
    [InlineData("bytes=0-", 100, 0, 100)]
    [InlineData("bytes=0-0", 100, 0, 1)]
    [InlineData("bytes=10-19", 100, 10, 10)]
    [InlineData("bytes=90-200", 100, 90, 10)]
    [InlineData("bytes=99-", 100, 99, 1)]
    [InlineData("bytes=-10", 100, 90, 10)]
    [InlineData("bytes=-1000", 100, 0, 100)]
    [InlineData("Bytes= 5-9 ", 100, 5, 5)]
    [InlineData("bytes=0-99999999999999999999999", 100, 0, 100)]
    public void ParsesSatisfiableRanges(string header, long length, long start, long count)
    {
        Assert.True(RangeHeaderParser.TryParse(header, length, out var range, out var unsatisfiable));
        Assert.False(unsatisfiable);
        Assert.Equal((start, count), range);
    }

    [Theory]
    [InlineData("bytes=-0", 100)]
    [InlineData("bytes=100-", 100)]
    [InlineData("bytes=100-200", 100)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=-5", 0)]
    [InlineData("bytes=99999999999999999999999-", 100)]
    public void ReportsUnsatisfiableRanges(string header, long length)
    {
        Assert.False(RangeHeaderParser.TryParse(header, length, out _, out var unsatisfiable));
        Assert.True(unsatisfiable);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=0-1, 5-6")]
    [InlineData("items=0-1")]
    [InlineData("bytes=")]
    [InlineData("bytes=-")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=1-a")]
    [InlineData("bytes=+1-2")]
    [InlineData("0-5")]
    public void IgnoresUnparseableRanges(string? header)
    {
        Assert.False(RangeHeaderParser.TryParse(header, 100, out _, out var unsatisfiable));
        Assert.False(unsatisfiable);
    }
}
