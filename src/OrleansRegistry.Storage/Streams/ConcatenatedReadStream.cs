namespace OrleansRegistry.Storage.Streams;

/// <summary>
/// Reads several streams one after another as one forward-only stream. Each stream is opened
/// only when reading reaches it and closed when it is used up, so a long list of parts holds
/// at most one open handle.
/// </summary>
internal sealed class ConcatenatedReadStream(int count, Func<int, Stream> open) : Stream
{
    private Stream? current;
    private int next;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (NextStream() is { } stream)
        {
            var read = stream.Read(buffer);
            if (read > 0)
            {
                return read;
            }

            CloseCurrent();
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (NextStream() is { } stream)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                return read;
            }

            CloseCurrent();
        }

        return 0;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseCurrent();
            next = count;
        }

        base.Dispose(disposing);
    }

    private Stream? NextStream()
    {
        if (current is null && next < count)
        {
            current = open(next++);
        }

        return current;
    }

    private void CloseCurrent()
    {
        current?.Dispose();
        current = null;
    }
}
