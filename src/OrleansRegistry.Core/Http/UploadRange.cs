namespace OrleansRegistry.Core.Http;

/// <summary>The <c>Range</c> header value of upload session responses (202/204).</summary>
public static class UploadRange
{
    /// <summary>
    /// <c>0-&lt;committedLength-1&gt;</c>, the inclusive range of bytes received so far. For an
    /// empty session this is <c>0-0</c>: the v1.1.1 spec's regex <c>^[0-9]+-[0-9]+$</c> rules
    /// out <c>0--1</c>, and clients (distribution, containerd, oras) read <c>0-0</c> of a
    /// fresh session as "resume at offset 0".
    /// </summary>
    public static string Format(long committedLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(committedLength);
        return committedLength == 0 ? "0-0" : $"0-{committedLength - 1}";
    }
}
