using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Core.Tests.Digests;

public class ResumableHashStateTests
{
    private static byte[] StateAfter(DigestAlgorithm algorithm, int length)
    {
        var hash = ResumableHash.Create(algorithm);
        hash.Append(Sha2Engines.RandomBytes(length, seed: length));
        return hash.ExportState();
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha512)]
    public void EmptyOrTruncatedStateIsRejected(DigestAlgorithm algorithm)
    {
        var state = StateAfter(algorithm, 100);
        Assert.Throws<ArgumentException>(() => ResumableHash.Restore(algorithm, []));
        for (var length = 0; length < state.Length; length++)
        {
            Assert.Throws<ArgumentException>(() => ResumableHash.Restore(algorithm, state.AsSpan(0, length)));
        }

        Assert.Throws<ArgumentException>(() => ResumableHash.Restore(algorithm, [.. state, 0]));
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha512)]
    public void AnyFlippedBitIsRejected(DigestAlgorithm algorithm)
    {
        var state = StateAfter(algorithm, 77);
        for (var bit = 0; bit < state.Length * 8; bit++)
        {
            var corrupt = (byte[])state.Clone();
            corrupt[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<ArgumentException>(() => ResumableHash.Restore(algorithm, corrupt));
        }
    }

    [Fact]
    public void StateForAnotherAlgorithmIsRejected()
    {
        Assert.Throws<ArgumentException>(() => ResumableHash.Restore(DigestAlgorithm.Sha512, StateAfter(DigestAlgorithm.Sha256, 10)));
        Assert.Throws<ArgumentException>(() => ResumableHash.Restore(DigestAlgorithm.Sha256, StateAfter(DigestAlgorithm.Sha512, 10)));
    }

    [Fact]
    public void RandomGarbageIsRejected()
    {
        var random = new Random(8);
        for (var i = 0; i < 2000; i++)
        {
            var garbage = new byte[random.Next(0, 300)];
            random.NextBytes(garbage);
            if (i % 2 == 0 && garbage.Length > 5)
            {
                // Plausible header so the deeper checks are exercised too.
                "RHS"u8.CopyTo(garbage);
                garbage[3] = 1;
                garbage[4] = (byte)(1 + (i % 4 == 0 ? 0 : 1));
            }

            Assert.Throws<ArgumentException>(() => ResumableHash.Restore(garbage));
        }
    }

    [Fact]
    public void StateRestoresWithoutNamingTheAlgorithm()
    {
        var restored = ResumableHash.Restore(StateAfter(DigestAlgorithm.Sha512, 300));
        Assert.Equal(DigestAlgorithm.Sha512, restored.Algorithm);
        Assert.Equal(300, restored.BytesHashed);
    }

    [Fact]
    public void StateIsSmall()
    {
        Assert.True(StateAfter(DigestAlgorithm.Sha256, 63).Length <= 13 + 32 + 63 + 8);
        Assert.True(StateAfter(DigestAlgorithm.Sha512, 127).Length <= 13 + 64 + 127 + 8);
    }
}
