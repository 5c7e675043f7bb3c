using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Uploads;

public sealed class ChunkRecordTests
{
    private static readonly ChunkRecord Sample = new(
        8_388_608, 4096, ["data-8388608-8392704", "é"], [1, 2, 3, 255], new DateTimeOffset(2026, 11, 27, 3, 0, 0, TimeSpan.Zero));

    // Version 1 as this build writes it: journals outlive a deployment, so a later build must read these bytes.
    private const string SampleVersion1 =
        "01" + "0000800000000000" + "0010000000000000" + "02" + "14646174612d383338383630382d38333932373034" + "02c3a9"
        + "04" + "010203ff" + "00b89686324cdf08";

    [Fact]
    public void A_record_reads_back_as_written()
    {
        var read = ChunkRecord.Parse(Sample.ToBytes());

        Assert.Equal(Sample.Start, read.Start);
        Assert.Equal(Sample.Length, read.Length);
        Assert.Equal(Sample.Parts, read.Parts);
        Assert.Equal(Sample.HashState, read.HashState);
        Assert.Equal(Sample.CommittedAt, read.CommittedAt);
    }

    [Fact]
    public void The_version_1_format_is_unchanged()
    {
        Assert.Equal(SampleVersion1, Convert.ToHexStringLower(Sample.ToBytes()));
        Assert.Equal(Sample.Parts, ChunkRecord.Parse(Convert.FromHexString(SampleVersion1)).Parts);
    }

    [Fact]
    public void A_record_of_an_unknown_version_is_refused()
    {
        var bytes = Sample.ToBytes();
        bytes[0] = 2;

        Assert.Throws<InvalidDataException>(() => ChunkRecord.Parse(bytes));
    }
}
