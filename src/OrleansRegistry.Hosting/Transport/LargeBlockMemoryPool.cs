using System.Buffers;
using System.Collections.Concurrent;

namespace OrleansRegistry.Hosting.Transport;

/// <summary>
/// A memory pool of pinned blocks larger than Kestrel's 4 KiB. Kestrel receives into whatever block
/// its pipe rents, so with 4 KiB blocks a 128 MiB upload costs ~64k recv calls (and as many pipe
/// reads and copies downstream); with 64 KiB blocks about a sixteenth. Idle connections hold no block
/// (Kestrel waits for data before renting one), and at most <c>maxRetainedBlocks</c> returned blocks
/// are kept for reuse; the rest are left to the GC.
/// </summary>
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// <summary>64 KiB: the most a loopback or LAN segment delivers in one read.</summary>
    public const int DefaultBlockSize = 64 * 1024;

    /// <summary>4 MiB of idle blocks per pool at the default block size (Kestrel has a pool per I/O queue).</summary>
    public const int DefaultMaxRetainedBlocks = 64;

    private readonly int _blockSize;
    private readonly int _maxRetainedBlocks;
    private readonly ConcurrentQueue<byte[]> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public LargeBlockMemoryPool(int blockSize = DefaultBlockSize, int maxRetainedBlocks = DefaultMaxRetainedBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetainedBlocks);
        _blockSize = blockSize;
        _maxRetainedBlocks = maxRetainedBlocks;
    }

    public override int MaxBufferSize => _blockSize;

    /// <summary>Blocks returned and waiting to be rented again.</summary>
    public int IdleBlocks => Volatile.Read(ref _idleCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, _blockSize);
        if (_idle.TryDequeue(out var array))
        {
            Interlocked.Decrement(ref _idleCount);
        }
        else
        {
            array = GC.AllocateUninitializedArray<byte>(_blockSize, pinned: true);
        }

        // A new owner per lease: a stale owner disposed twice cannot return a block someone else holds.
        return new Lease(this, array);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        while (_idle.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }

    private void Return(byte[] array)
    {
        if (_disposed)
        {
            return;
        }

        if (Interlocked.Increment(ref _idleCount) > _maxRetainedBlocks)
        {
            Interlocked.Decrement(ref _idleCount);
            return;
        }

        _idle.Enqueue(array);
    }

    private sealed class Lease(LargeBlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => Volatile.Read(ref _array)
            ?? throw new ObjectDisposedException(nameof(Lease), "the block was returned to its pool");

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
