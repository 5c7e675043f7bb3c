using Orleans.Runtime;
using OrleansRegistry.Grains.State;
using OrleansRegistry.Grains.Tests.Fixtures;
using Xunit;

namespace OrleansRegistry.Grains.Tests.State;

public sealed class BucketedMapTests
{
    private static readonly GrainId Owner = GrainId.Create("test-owner", "one");

    private readonly InMemoryGrainStorage _storage = new();

    private BucketedMap<string> NewMap(int buckets = 16) => new(_storage, Owner, "things", buckets);

    [Fact]
    public async Task Values_are_set_read_and_removed()
    {
        var map = NewMap();

        await map.SetAsync("a", "1");
        await map.SetAsync("b", "2");
        await map.SetAsync("a", "3");

        Assert.Equal("3", await map.GetAsync("a"));
        Assert.Equal("2", await map.GetAsync("b"));
        Assert.Null(await map.GetAsync("c"));
        Assert.True(await map.ContainsAsync("b"));
        Assert.True(await map.RemoveAsync("b"));
        Assert.False(await map.RemoveAsync("b"));
        Assert.False(await map.ContainsAsync("b"));
        Assert.Equal([new KeyValuePair<string, string>("a", "3")], await map.GetAllAsync());
    }

    [Fact]
    public async Task Each_change_writes_one_bucket_and_removing_a_missing_key_writes_nothing()
    {
        var map = NewMap();

        await map.SetAsync("a", "1");
        await map.SetAsync("b", "2");
        await map.RemoveAsync("a");
        await map.RemoveAsync("zzz");

        Assert.Equal(3, _storage.WriteCount);
    }

    [Fact]
    public async Task Entries_are_spread_over_buckets_named_after_the_map()
    {
        var map = NewMap(buckets: 16);
        for (var i = 0; i < 400; i++)
        {
            await map.SetAsync($"tag-{i}", $"v{i}");
        }

        var names = _storage.StateNames;
        Assert.InRange(names.Count, 12, 16);
        Assert.All(names, n => Assert.Matches("^things-[0-9a-f]{3}$", n));
        Assert.Equal(400, (await map.GetAllAsync()).Count);
    }

    [Fact]
    public async Task A_new_map_on_the_same_storage_sees_the_persisted_entries()
    {
        var map = NewMap();
        for (var i = 0; i < 50; i++)
        {
            await map.SetAsync($"k{i}", $"v{i}");
        }

        await map.RemoveAsync("k7");

        var reopened = NewMap();
        Assert.Equal("v8", await reopened.GetAsync("k8"));
        Assert.Null(await reopened.GetAsync("k7"));
        Assert.Equal(49, (await reopened.GetAllAsync()).Count);

        // The reopened map carries the stored etags: it can write on.
        await reopened.SetAsync("k8", "changed");
        Assert.Equal("changed", await NewMap().GetAsync("k8"));
    }

    [Fact]
    public async Task Readers_do_not_see_a_value_before_its_write_is_acknowledged()
    {
        var map = NewMap();
        await map.SetAsync("tag", "old");
        _storage.WriteGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = map.SetAsync("tag", "new");

        Assert.False(pending.IsCompleted);
        Assert.Equal("old", await map.GetAsync("tag"));
        _storage.WriteGate.SetResult();
        await pending;
        Assert.Equal("new", await map.GetAsync("tag"));
    }

    [Fact]
    public async Task A_failed_write_leaves_the_previous_value()
    {
        var map = NewMap();
        await map.SetAsync("tag", "old");
        _storage.WriteGate = new TaskCompletionSource();
        var pending = map.SetAsync("tag", "new");
        _storage.WriteGate.SetException(new IOException("disk full"));

        await Assert.ThrowsAsync<IOException>(() => pending);

        _storage.WriteGate = null;
        Assert.Equal("old", await map.GetAsync("tag"));
        await map.SetAsync("tag", "retried");
        Assert.Equal("retried", await NewMap().GetAsync("tag"));
    }

    [Fact]
    public async Task A_write_that_failed_after_reaching_storage_can_be_followed_by_more_writes()
    {
        var map = NewMap(buckets: 1);
        await map.SetAsync("tag", "old");
        _storage.FailNextWriteAfterStoring = true;

        await Assert.ThrowsAsync<IOException>(() => map.SetAsync("tag", "new"));

        // Storage holds "new" with a new etag; the map must not write on with the old one.
        await map.SetAsync("other", "value");
        var reopened = NewMap(buckets: 1);
        Assert.Equal("value", await reopened.GetAsync("other"));
        Assert.Equal("new", await reopened.GetAsync("tag"));
    }
}
