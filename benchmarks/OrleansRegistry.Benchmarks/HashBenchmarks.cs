using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using OrleansRegistry.Core.Digests;

namespace OrleansRegistry.Benchmarks;

/// <summary>SHA-256 throughput on 1 MiB buffers: ResumableHash (libcrypto when it loads) against IncrementalHash.</summary>
[BenchmarkCategory("hash")]
public class HashBenchmarks
{
    private readonly byte[] buffer = new byte[1024 * 1024];
    private ResumableHash resumable = ResumableHash.Create(DigestAlgorithm.Sha256);
    private IncrementalHash incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    [GlobalSetup]
    public void Setup()
    {
        new Random(42).NextBytes(buffer);
        resumable = ResumableHash.Create(DigestAlgorithm.Sha256);
        incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Console.WriteLine($"// ResumableHash native (libcrypto): {ResumableHash.IsNativeAvailable(DigestAlgorithm.Sha256)}");
    }

    [GlobalCleanup]
    public void Cleanup() => incremental.Dispose();

    /// <summary>Appending 1 MiB to a running hash; MiB/s = 1 s / the mean.</summary>
    [Benchmark(Baseline = true, Description = "IncrementalHash.AppendData 1 MiB")]
    public void IncrementalHashAppend() => incremental.AppendData(buffer);

    [Benchmark(Description = "ResumableHash.Append 1 MiB")]
    public void ResumableHashAppend() => resumable.Append(buffer);

    [Benchmark(Description = "SHA256.HashData 1 MiB (one shot)")]
    public byte[] OneShot() => SHA256.HashData(buffer);
}

/// <summary>What resuming costs: a PATCH on another silo restores the state, appends, then exports it again.</summary>
[BenchmarkCategory("hash-state")]
public class HashStateBenchmarks
{
    private ResumableHash hash = ResumableHash.Create(DigestAlgorithm.Sha256);
    private byte[] state = [];

    [GlobalSetup]
    public void Setup()
    {
        var data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).NextBytes(data);
        hash = ResumableHash.Create(DigestAlgorithm.Sha256);
        hash.Append(data);
        state = hash.ExportState();
        Console.WriteLine($"// exported state: {state.Length} bytes");
    }

    [Benchmark(Description = "ExportState")]
    public byte[] Export() => hash.ExportState();

    [Benchmark(Description = "Restore")]
    public ResumableHash Restore() => ResumableHash.Restore(DigestAlgorithm.Sha256, state);

    [Benchmark(Description = "Restore + ExportState")]
    public byte[] RoundTrip() => ResumableHash.Restore(DigestAlgorithm.Sha256, state).ExportState();

    [Benchmark(Description = "GetCurrentDigest")]
    public Digest CurrentDigest() => hash.GetCurrentDigest();

    [Benchmark(Description = "Create (new upload)")]
    public ResumableHash Create() => ResumableHash.Create(DigestAlgorithm.Sha256);
}
