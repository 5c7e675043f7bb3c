namespace OrleansRegistry.Core.Digests;

/// <summary>
/// An incremental SHA-256/512 whose running state can be exported and restored later,
/// possibly in another process, so a chunked upload's digest can continue on whichever
/// server receives the next chunk. Uses OpenSSL's libcrypto when it loads (hardware
/// speed), otherwise a managed implementation; both produce the same exported state.
/// Not thread-safe. Owns only managed memory, so there is nothing to dispose.
/// </summary>
public sealed class ResumableHash
{
    private readonly ISha2Engine engine;
    private readonly byte[] context;

    private ResumableHash(ISha2Engine engine)
    {
        this.engine = engine;
        context = new byte[engine.Layout.ContextSize];
    }

    public DigestAlgorithm Algorithm => engine.Layout.Algorithm;

    /// <summary>Total number of bytes appended since <see cref="Create(DigestAlgorithm)"/>.</summary>
    public long BytesHashed => ResumableHashState.BytesHashed(engine.Layout, context);

    /// <summary>True when libcrypto is in use for this algorithm in this process.</summary>
    public static bool IsNativeAvailable(DigestAlgorithm algorithm) => OpenSslSha2Engine.For(algorithm) is not null;

    public static ResumableHash Create(DigestAlgorithm algorithm) => Create(DefaultEngine(algorithm));

    /// <summary>
    /// Continues from <see cref="ExportState"/> output.
    /// Throws ArgumentException if the state is malformed, corrupt, of another version or for another algorithm.
    /// </summary>
    public static ResumableHash Restore(DigestAlgorithm algorithm, ReadOnlySpan<byte> state) =>
        Restore(DefaultEngine(algorithm), state);

    /// <summary>Continues from an exported state, taking the algorithm from the state itself.</summary>
    public static ResumableHash Restore(ReadOnlySpan<byte> state) =>
        Restore(ResumableHashState.PeekAlgorithm(state) ?? throw new ArgumentException("not a resumable hash state", nameof(state)), state);

    internal static ResumableHash Create(ISha2Engine engine)
    {
        var hash = new ResumableHash(engine);
        engine.Init(hash.context);
        return hash;
    }

    internal static ResumableHash Restore(ISha2Engine engine, ReadOnlySpan<byte> state)
    {
        var hash = new ResumableHash(engine);
        ResumableHashState.Import(engine.Layout, state, hash.context);
        return hash;
    }

    public void Append(ReadOnlySpan<byte> data) => engine.Update(context, data);

    /// <summary>A versioned, checked snapshot of the running state (a few hundred bytes at most).</summary>
    public byte[] ExportState() => ResumableHashState.Export(engine.Layout, context);

    /// <summary>The digest of everything appended so far; the running state is untouched.</summary>
    public Digest GetCurrentDigest()
    {
        Span<byte> copy = stackalloc byte[context.Length];
        context.CopyTo(copy);
        Span<byte> hash = stackalloc byte[engine.Layout.DigestSize];
        engine.Final(copy, hash);
        return Digest.FromHash(Algorithm, hash);
    }

    /// <summary>An independent hash continuing from the same point.</summary>
    public ResumableHash Clone()
    {
        var clone = new ResumableHash(engine);
        context.CopyTo(clone.context, 0);
        return clone;
    }

    private static ISha2Engine DefaultEngine(DigestAlgorithm algorithm)
    {
        _ = Sha2ContextLayout.For(algorithm); // validates the enum value
        return (ISha2Engine?)OpenSslSha2Engine.For(algorithm) ?? ManagedSha2Engine.For(algorithm);
    }
}
