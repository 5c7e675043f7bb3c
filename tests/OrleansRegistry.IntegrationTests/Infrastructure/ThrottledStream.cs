namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>A request body that trickles in, so that a request is still streaming when something happens to the server.</summary>
public sealed class ThrottledStream(byte[] data, int bytesPerTick, TimeSpan tick) : Stream
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    public Task Started => _started.Task;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => data.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= data.Length)
        {
            return 0;
        }

        _started.TrySetResult();
        await Task.Delay(tick, cancellationToken);
        var count = Math.Min(Math.Min(bytesPerTick, buffer.Length), data.Length - _position);
        data.AsMemory(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
