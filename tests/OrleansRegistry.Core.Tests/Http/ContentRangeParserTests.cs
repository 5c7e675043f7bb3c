using OrleansRegistry.Core.Http;

namespace OrleansRegistry.Core.Tests.Http;

public class ContentRangeParserTests
{
    [Theory]
    [InlineData("0-0", 0, 0)]
    [InlineData("0-99", 0, 99)]
    [InlineData("100-199", 100, 199)]
    [InlineData("bytes 100-199", 100, 199)]
    [InlineData("BYTES 5-5", 5, 5)]
    [InlineData("bytes 0-9/10", 0, 9)]
    [InlineData("bytes 0-9/*", 0, 9)]
    [InlineData(" 1-2 ", 1, 2)]
    [InlineData("9223372036854775806-9223372036854775807", 9223372036854775806, 9223372036854775807)]
    public void ParsesValidRanges(string value, long start, long end)
    {
        Assert.True(ContentRangeParser.TryParseUploadRange(value, out var s, out var e));
        Assert.Equal(start, s);
        Assert.Equal(end, e);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5-2")]
    [InlineData("-5")]
    [InlineData("5-")]
    [InlineData("a-b")]
    [InlineData("+1-2")]
    [InlineData("1--2")]
    [InlineData("1-2-3")]
    [InlineData("0-9223372036854775808")]
    [InlineData("bytes 0-9/x")]
    [InlineData("bytes0-9")]
    [InlineData("0-9/10")]
    [InlineData("1 - 2")]
    public void RejectsInvalidRanges(string? value) => Assert.False(ContentRangeParser.TryParseUploadRange(value, out _, out _));
}
