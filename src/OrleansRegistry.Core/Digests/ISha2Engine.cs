namespace OrleansRegistry.Core.Digests;

/// <summary>
/// Runs SHA-2 over a context in <see cref="Sha2ContextLayout"/> form. Two implementations
/// share the layout, so a state written by one can be continued by the other.
/// </summary>
internal interface ISha2Engine
{
    Sha2ContextLayout Layout { get; }

    void Init(Span<byte> context);

    void Update(Span<byte> context, ReadOnlySpan<byte> data);

    /// <summary>Finishes the hash; the context is consumed (callers pass a copy).</summary>
    void Final(Span<byte> context, Span<byte> hash);
}
