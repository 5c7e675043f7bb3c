using OrleansRegistry.Server.Manifests;

namespace OrleansRegistry.Server.Tests.Manifests;

public sealed class ManifestBytesCacheTests
{
    private const int Overhead = ManifestBytesCache.EntryOverhead;

    [Fact]
    public void Keeps_bytes_under_repository_and_digest()
    {
        var cache = new ManifestBytesCache(1 << 20);
        var bytes = new byte[] { 1, 2, 3 };
        var added = cache.Add("team/app", "sha256:aa", bytes);

        Assert.True(cache.TryGet("team/app", "sha256:aa", out var found));
        Assert.Same(added, found);
        Assert.Same(bytes, found.Bytes);
        Assert.Equal("\"sha256:aa\"", found.ETag);
        Assert.Equal(3 + Overhead, cache.Size);
    }

    [Fact]
    public void The_same_digest_in_another_repository_is_a_different_entry()
    {
        var cache = new ManifestBytesCache(1 << 20);
        cache.Add("a", "sha256:aa", [1]);

        Assert.False(cache.TryGet("b", "sha256:aa", out _));
        Assert.False(cache.TryGet("a", "sha256:bb", out _));

        cache.Add("b", "sha256:aa", [1]);
        Assert.Equal(2, cache.Count);
        Assert.True(cache.Remove("a", "sha256:aa"));
        Assert.False(cache.TryGet("a", "sha256:aa", out _));
        Assert.True(cache.TryGet("b", "sha256:aa", out _));
    }

    [Fact]
    public void Stays_within_its_capacity_evicting_the_least_recently_used()
    {
        // Room for three 100-byte entries.
        var cache = new ManifestBytesCache(3 * (100 + Overhead));
        cache.Add("r", "d1", new byte[100]);
        cache.Add("r", "d2", new byte[100]);
        cache.Add("r", "d3", new byte[100]);
        Assert.True(cache.TryGet("r", "d1", out _)); // d1 is now the most recently used; d2 the least

        cache.Add("r", "d4", new byte[100]);

        Assert.Equal(3, cache.Count);
        Assert.True(cache.Size <= cache.Capacity);
        Assert.False(cache.TryGet("r", "d2", out _));
        Assert.True(cache.TryGet("r", "d1", out _));
        Assert.True(cache.TryGet("r", "d3", out _));
        Assert.True(cache.TryGet("r", "d4", out _));
    }

    [Fact]
    public void A_large_entry_evicts_as_many_as_needed_and_size_is_never_exceeded()
    {
        var cache = new ManifestBytesCache(10_000);
        for (var i = 0; i < 1000; i++)
        {
            cache.Add("r", $"d{i}", new byte[i % 700]);
            Assert.True(cache.Size <= cache.Capacity);
        }

        cache.Add("r", "big", new byte[10_000 - Overhead]);
        Assert.Equal(1, cache.Count);
        Assert.Equal(10_000, cache.Size);
        Assert.True(cache.TryGet("r", "big", out _));
    }

    [Fact]
    public void Content_larger_than_the_capacity_is_served_but_not_kept()
    {
        var cache = new ManifestBytesCache(1000);
        cache.Add("r", "small", new byte[10]);
        var big = cache.Add("r", "big", new byte[1000]);

        Assert.Equal(1000, big.Bytes.Length);
        Assert.False(cache.TryGet("r", "big", out _));
        Assert.True(cache.TryGet("r", "small", out _));
    }

    [Fact]
    public void Capacity_zero_keeps_nothing()
    {
        var cache = new ManifestBytesCache(0);
        cache.Add("r", "d", [1]);
        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet("r", "d", out _));
    }

    [Fact]
    public void Adding_twice_keeps_one_entry_and_counts_it_once()
    {
        var cache = new ManifestBytesCache(1 << 20);
        var first = cache.Add("r", "d", [1, 2]);
        var second = cache.Add("r", "d", [1, 2]);
        Assert.Same(first, second);
        Assert.Equal(1, cache.Count);
        Assert.Equal(2 + Overhead, cache.Size);
        Assert.True(cache.Remove("r", "d"));
        Assert.False(cache.Remove("r", "d"));
        Assert.Equal(0, cache.Size);
    }

    [Fact]
    public async Task Concurrent_use_keeps_the_bookkeeping_consistent()
    {
        var cache = new ManifestBytesCache(50 * (64 + Overhead));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var digest = $"d{(i * 7 + t) % 200}";
                if (!cache.TryGet("r", digest, out _))
                {
                    cache.Add("r", digest, new byte[64]);
                }

                if (i % 13 == 0)
                {
                    cache.Remove("r", digest);
                }
            }
        })));

        Assert.True(cache.Size <= cache.Capacity);
        Assert.Equal(cache.Count * (64L + Overhead), cache.Size);
    }
}
