using System.Runtime.InteropServices;
using OrleansRegistry.Hosting.Transport;

namespace OrleansRegistry.Hosting.Tests.Transport;

public sealed class LargeBlockMemoryPoolTests
{
    [Fact]
    public void A_rented_block_has_the_block_size_whatever_was_asked()
    {
        using var pool = new LargeBlockMemoryPool(16 * 1024);
        using var small = pool.Rent(1);
        using var any = pool.Rent();
        Assert.Equal(16 * 1024, small.Memory.Length);
        Assert.Equal(16 * 1024, any.Memory.Length);
        Assert.Equal(16 * 1024, pool.MaxBufferSize);
    }

    [Fact]
    public void More_than_a_block_is_refused()
    {
        using var pool = new LargeBlockMemoryPool(16 * 1024);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(16 * 1024 + 1));
    }

    [Fact]
    public void A_returned_block_is_rented_again_and_the_old_owner_can_no_longer_reach_it()
    {
        using var pool = new LargeBlockMemoryPool(8192);
        var first = pool.Rent();
        Assert.True(MemoryMarshal.TryGetArray<byte>(first.Memory, out var firstArray));
        first.Dispose();
        Assert.Equal(1, pool.IdleBlocks);

        using var second = pool.Rent();
        Assert.True(MemoryMarshal.TryGetArray<byte>(second.Memory, out var secondArray));
        Assert.Same(firstArray.Array, secondArray.Array);
        Assert.Equal(0, pool.IdleBlocks);

        // The block is leased again: a stale owner must not see it (nor return it twice).
        first.Dispose();
        Assert.Equal(0, pool.IdleBlocks);
        Assert.Equal(8192, second.Memory.Length);
    }

    [Fact]
    public void Disposing_twice_returns_the_block_once()
    {
        using var pool = new LargeBlockMemoryPool(8192);
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();
        Assert.Equal(1, pool.IdleBlocks);
        Assert.Throws<ObjectDisposedException>(() => block.Memory);

        using var a = pool.Rent();
        using var b = pool.Rent();
        Assert.True(MemoryMarshal.TryGetArray<byte>(a.Memory, out var aArray));
        Assert.True(MemoryMarshal.TryGetArray<byte>(b.Memory, out var bArray));
        Assert.NotSame(aArray.Array, bArray.Array);
    }

    [Fact]
    public void At_most_the_retention_limit_of_blocks_is_kept()
    {
        using var pool = new LargeBlockMemoryPool(8192, maxRetainedBlocks: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        blocks.ForEach(b => b.Dispose());
        Assert.Equal(2, pool.IdleBlocks);
    }

    [Fact]
    public void A_disposed_pool_rents_nothing_and_keeps_nothing()
    {
        var pool = new LargeBlockMemoryPool(8192);
        var block = pool.Rent();
        pool.Dispose();
        block.Dispose();
        Assert.Equal(0, pool.IdleBlocks);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public void Blocks_are_pinned_so_sockets_need_not_pin_them()
    {
        using var pool = new LargeBlockMemoryPool(8192);
        using var block = pool.Rent();
        Assert.True(MemoryMarshal.TryGetArray<byte>(block.Memory, out var segment));
        // The pinned object heap reports the oldest generation; a fresh ordinary array is in generation 0.
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(segment.Array!));
    }
}
