using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Core.Tests.Digests;

public class ResumableHashTests
{
    public static TheoryData<string, DigestAlgorithm> Engines => new()
    {
        { "native", DigestAlgorithm.Sha256 },
        { "native", DigestAlgorithm.Sha512 },
        { "managed", DigestAlgorithm.Sha256 },
        { "managed", DigestAlgorithm.Sha512 },
    };

    [Fact]
    public void LibcryptoIsUsedOnThisMachine()
    {
        Assert.True(ResumableHash.IsNativeAvailable(DigestAlgorithm.Sha256));
        Assert.True(ResumableHash.IsNativeAvailable(DigestAlgorithm.Sha512));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void MatchesFrameworkHashForManySizes(string kind, DigestAlgorithm algorithm)
    {
        var data = Sha2Engines.RandomBytes(1200, seed: 1);
        for (var length = 0; length <= data.Length; length += length < 300 ? 1 : 37)
        {
            var hash = ResumableHash.Create(Sha2Engines.Get(kind, algorithm));
            hash.Append(data.AsSpan(0, length));
            var expected = Digest.FromHash(algorithm, Sha2Engines.Reference(algorithm, data.AsSpan(0, length)));
            Assert.Equal(expected, hash.GetCurrentDigest());
            Assert.Equal(length, hash.BytesHashed);
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void MatchesFrameworkHashForRandomSplits(string kind, DigestAlgorithm algorithm)
    {
        var random = new Random(2);
        for (var round = 0; round < 50; round++)
        {
            var data = Sha2Engines.RandomBytes(random.Next(0, 5000), seed: round);
            var hash = ResumableHash.Create(Sha2Engines.Get(kind, algorithm));
            for (var offset = 0; offset < data.Length;)
            {
                var take = Math.Min(data.Length - offset, random.Next(0, 300));
                hash.Append(data.AsSpan(offset, take));
                offset += take;
            }

            Assert.Equal(Digest.FromHash(algorithm, Sha2Engines.Reference(algorithm, data)), hash.GetCurrentDigest());
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void CurrentDigestDoesNotDisturbTheRunningState(string kind, DigestAlgorithm algorithm)
    {
        var data = Sha2Engines.RandomBytes(777, seed: 3);
        var hash = ResumableHash.Create(Sha2Engines.Get(kind, algorithm));
        for (var i = 0; i < data.Length; i += 50)
        {
            var chunk = data.AsSpan(i, Math.Min(50, data.Length - i));
            hash.Append(chunk);
            Assert.Equal(
                Digest.FromHash(algorithm, Sha2Engines.Reference(algorithm, data.AsSpan(0, i + chunk.Length))),
                hash.GetCurrentDigest());
        }
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha512)]
    public void ExportAndRestoreAtAnyOffsetAcrossEngines(DigestAlgorithm algorithm)
    {
        var data = Sha2Engines.RandomBytes(700, seed: 4);
        var expected = Digest.FromHash(algorithm, Sha2Engines.Reference(algorithm, data));
        string[] kinds = ["native", "managed"];
        for (var split = 0; split <= data.Length; split += 7)
        {
            foreach (var first in kinds)
            {
                foreach (var second in kinds)
                {
                    var hash = ResumableHash.Create(Sha2Engines.Get(first, algorithm));
                    hash.Append(data.AsSpan(0, split));
                    var restored = ResumableHash.Restore(Sha2Engines.Get(second, algorithm), hash.ExportState());
                    Assert.Equal(split, restored.BytesHashed);
                    restored.Append(data.AsSpan(split));
                    Assert.Equal(expected, restored.GetCurrentDigest());
                }
            }
        }
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha512)]
    public void NativeAndManagedProduceIdenticalStateAndDigests(DigestAlgorithm algorithm)
    {
        var random = new Random(5);
        var data = Sha2Engines.RandomBytes(10_000, seed: 5);
        var native = ResumableHash.Create(Sha2Engines.Get("native", algorithm));
        var managed = ResumableHash.Create(Sha2Engines.Get("managed", algorithm));
        Assert.Equal(native.ExportState(), managed.ExportState());
        for (var offset = 0; offset < data.Length;)
        {
            var take = Math.Min(data.Length - offset, random.Next(0, 400));
            native.Append(data.AsSpan(offset, take));
            managed.Append(data.AsSpan(offset, take));
            offset += take;
            Assert.Equal(native.ExportState(), managed.ExportState());
            Assert.Equal(native.GetCurrentDigest(), managed.GetCurrentDigest());
        }
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha512)]
    public void NativeAndManagedContextsAgreeByteForByte(DigestAlgorithm algorithm)
    {
        var layout = Sha2ContextLayout.For(algorithm);
        var nativeEngine = Sha2Engines.Get("native", algorithm);
        var managedEngine = Sha2Engines.Get("managed", algorithm);
        var native = new byte[layout.ContextSize];
        var managed = new byte[layout.ContextSize];
        nativeEngine.Init(native);
        managedEngine.Init(managed);
        Assert.Equal(native, managed);
        var data = Sha2Engines.RandomBytes(3000, seed: 6);
        foreach (var length in new[] { 1, 63, 64, 65, 127, 128, 129, 500, 1 })
        {
            nativeEngine.Update(native, data.AsSpan(0, length));
            managedEngine.Update(managed, data.AsSpan(0, length));
            Assert.True(Sha2StateComparer.SameState(layout, native, managed));
        }
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha512)]
    public void LargeInputMatches(DigestAlgorithm algorithm)
    {
        var data = Sha2Engines.RandomBytes(16 * 1024 * 1024 + 13, seed: 7);
        var hash = ResumableHash.Create(algorithm);
        hash.Append(data.AsSpan(0, 5_000_001));
        hash = ResumableHash.Restore(hash.ExportState());
        hash.Append(data.AsSpan(5_000_001));
        Assert.Equal(Digest.FromHash(algorithm, Sha2Engines.Reference(algorithm, data)), hash.GetCurrentDigest());
        Assert.Equal(data.Length, hash.BytesHashed);
    }

    [Fact]
    public void EmptyInputDigestsAreTheKnownValues()
    {
        Assert.Equal(
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ResumableHash.Create(DigestAlgorithm.Sha256).GetCurrentDigest().ToString());
        Assert.Equal(
            Digest.Compute(DigestAlgorithm.Sha512, []),
            ResumableHash.Create(DigestAlgorithm.Sha512).GetCurrentDigest());
    }

    [Fact]
    public void CloneIsIndependent()
    {
        var hash = ResumableHash.Create(DigestAlgorithm.Sha256);
        hash.Append("abc"u8);
        var clone = hash.Clone();
        clone.Append("def"u8);
        Assert.Equal(Digest.Compute(DigestAlgorithm.Sha256, "abc"u8), hash.GetCurrentDigest());
        Assert.Equal(Digest.Compute(DigestAlgorithm.Sha256, "abcdef"u8), clone.GetCurrentDigest());
    }
}
