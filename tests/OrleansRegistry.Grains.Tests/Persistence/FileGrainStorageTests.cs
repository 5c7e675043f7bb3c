using Orleans.Runtime;
using Orleans.Storage;
using OrleansRegistry.Grains.Persistence;
using Xunit;

namespace OrleansRegistry.Grains.Tests.Persistence;

public sealed class FileGrainStorageTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly FileGrainStorage _storage;

    public FileGrainStorageTests() => _storage = StorageServices.CreateStorage(_root.Path);

    public void Dispose() => _root.Dispose();

    private static GrainId Id(string key, string type = "repository") => GrainId.Create(type, key);

    [Fact]
    public async Task Missing_record_reads_as_new_state_without_etag()
    {
        var state = new GrainState<CounterState> { State = null!, ETag = "stale", RecordExists = true };

        await _storage.ReadStateAsync("state", Id("a"), state);

        Assert.NotNull(state.State);
        Assert.Equal(0, state.State!.Value);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
    }

    [Fact]
    public async Task Written_state_round_trips()
    {
        var written = new GrainState<CounterState>(new CounterState { Value = 42, Items = ["x", "y"] });

        await _storage.WriteStateAsync("state", Id("a"), written);

        Assert.NotNull(written.ETag);
        Assert.True(written.RecordExists);

        var read = new GrainState<CounterState>(new CounterState());
        await _storage.ReadStateAsync("state", Id("a"), read);

        Assert.Equal(42, read.State!.Value);
        Assert.Equal(["x", "y"], read.State!.Items);
        Assert.Equal(written.ETag, read.ETag);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task Each_write_gets_a_new_etag()
    {
        var state = new GrainState<CounterState>(new CounterState { Value = 1 });
        await _storage.WriteStateAsync("state", Id("a"), state);
        var first = state.ETag;

        state.State!.Value = 2;
        await _storage.WriteStateAsync("state", Id("a"), state);

        Assert.NotEqual(first, state.ETag);
    }

    [Fact]
    public async Task State_names_and_grain_types_are_separate_records()
    {
        await _storage.WriteStateAsync("one", Id("a"), new GrainState<CounterState>(new CounterState { Value = 1 }));
        await _storage.WriteStateAsync("two", Id("a"), new GrainState<CounterState>(new CounterState { Value = 2 }));
        await _storage.WriteStateAsync("one", Id("a", "othertype"), new GrainState<CounterState>(new CounterState { Value = 3 }));

        Assert.Equal(1, (await Read("one", Id("a"))).State!.Value);
        Assert.Equal(2, (await Read("two", Id("a"))).State!.Value);
        Assert.Equal(3, (await Read("one", Id("a", "othertype"))).State!.Value);
        Assert.False((await Read("two", Id("a", "othertype"))).RecordExists);
    }

    [Fact]
    public async Task Write_with_stale_etag_throws_InconsistentStateException()
    {
        var first = new GrainState<CounterState>(new CounterState { Value = 1 });
        await _storage.WriteStateAsync("state", Id("a"), first);

        // A second activation read the same version...
        var duplicate = await Read("state", Id("a"));
        // ...the first one writes again...
        first.State!.Value = 2;
        await _storage.WriteStateAsync("state", Id("a"), first);

        // ...so the duplicate's write must not overwrite it.
        duplicate.State!.Value = 99;
        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.WriteStateAsync("state", Id("a"), duplicate));
        Assert.Equal(first.ETag, error.StoredEtag);
        Assert.Equal(duplicate.ETag, error.CurrentEtag);
        Assert.Equal(2, (await Read("state", Id("a"))).State!.Value);
    }

    [Fact]
    public async Task Write_with_etag_when_no_record_exists_throws()
    {
        var state = new GrainState<CounterState>(new CounterState(), "some-etag");

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("state", Id("a"), state));
        Assert.False((await Read("state", Id("a"))).RecordExists);
    }

    [Fact]
    public async Task Write_without_etag_over_existing_record_throws()
    {
        await _storage.WriteStateAsync("state", Id("a"), new GrainState<CounterState>(new CounterState { Value = 1 }));

        var fresh = new GrainState<CounterState>(new CounterState { Value = 5 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("state", Id("a"), fresh));
    }

    [Fact]
    public async Task Clear_deletes_the_record_and_resets_the_state()
    {
        var state = new GrainState<CounterState>(new CounterState { Value = 7 });
        await _storage.WriteStateAsync("state", Id("a"), state);
        var path = _storage.GetFilePath("state", Id("a"));
        Assert.True(File.Exists(path));

        await _storage.ClearStateAsync("state", Id("a"), state);

        Assert.False(File.Exists(path));
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State!.Value);
        Assert.False((await Read("state", Id("a"))).RecordExists);

        // Writing again after a clear starts from "no record".
        state.State!.Value = 8;
        await _storage.WriteStateAsync("state", Id("a"), state);
        Assert.Equal(8, (await Read("state", Id("a"))).State!.Value);
    }

    [Fact]
    public async Task Clear_with_stale_etag_throws_and_keeps_the_record()
    {
        var state = new GrainState<CounterState>(new CounterState { Value = 7 });
        await _storage.WriteStateAsync("state", Id("a"), state);
        var stale = new GrainState<CounterState>(new CounterState(), "not-the-etag");

        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync("state", Id("a"), stale));
        Assert.Equal(7, (await Read("state", Id("a"))).State!.Value);
    }

    [Fact]
    public async Task Clear_of_missing_record_succeeds()
    {
        var state = new GrainState<CounterState>(new CounterState { Value = 3 });

        await _storage.ClearStateAsync("state", Id("never-written"), state);

        Assert.False(state.RecordExists);
        Assert.Equal(0, state.State!.Value);
    }

    [Theory]
    [InlineData("library/ubuntu")]
    [InlineData("registry.example.com:5000/team/app@sha256:0123abcd")]
    [InlineData("../../../etc/passwd")]
    [InlineData("..")]
    [InlineData("a\\b\0c\nd")]
    [InlineData("ünïcødé/名前")]
    [InlineData(" key with spaces ~ and * ? < > | \" ")]
    public async Task Arbitrary_keys_stay_inside_the_root_and_round_trip(string key)
    {
        var id = Id(key);
        await _storage.WriteStateAsync("state/with:odd@chars", id, new GrainState<CounterState>(new CounterState { Value = 11 }));

        var path = _storage.GetFilePath("state/with:odd@chars", id);
        Assert.StartsWith(_storage.RootPath + Path.DirectorySeparatorChar, path);
        Assert.Equal(_storage.RootPath, Path.GetDirectoryName(Path.GetDirectoryName(path)));
        Assert.True(File.Exists(path));
        Assert.Equal(11, (await Read("state/with:odd@chars", id)).State!.Value);
    }

    [Fact]
    public async Task Very_long_keys_and_types_give_bounded_names_and_do_not_collide()
    {
        var longKey = new string('k', 5000);
        var otherLongKey = longKey[..^1] + "j";
        var longType = new string('t', 500);

        await _storage.WriteStateAsync("state", Id(longKey, longType), new GrainState<CounterState>(new CounterState { Value = 1 }));
        await _storage.WriteStateAsync("state", Id(otherLongKey, longType), new GrainState<CounterState>(new CounterState { Value = 2 }));

        var path = _storage.GetFilePath("state", Id(longKey, longType));
        Assert.True(Path.GetFileName(path).Length <= 160, Path.GetFileName(path));
        Assert.True(Path.GetFileName(Path.GetDirectoryName(path))!.Length <= 64);
        Assert.Equal(1, (await Read("state", Id(longKey, longType))).State!.Value);
        Assert.Equal(2, (await Read("state", Id(otherLongKey, longType))).State!.Value);
    }

    [Fact]
    public void File_names_are_readable_where_possible()
    {
        var path = _storage.GetFilePath("manifests", Id("library/ubuntu"));

        Assert.Equal("repository", Path.GetFileName(Path.GetDirectoryName(path)));
        Assert.StartsWith("manifests_library_ubuntu-", Path.GetFileName(path));
        Assert.EndsWith(".state", path);
    }

    [Fact]
    public void Keys_escaping_to_the_same_text_get_different_files()
    {
        Assert.NotEqual(_storage.GetFilePath("state", Id("a/b")), _storage.GetFilePath("state", Id("a:b")));
        Assert.NotEqual(_storage.GetFilePath("a_b", Id("c")), _storage.GetFilePath("a", Id("b_c")));
    }

    [Fact]
    public async Task No_temporary_files_are_left_behind()
    {
        var state = new GrainState<CounterState>(new CounterState());
        for (var i = 0; i < 20; i++)
        {
            state.State!.Value = i;
            await _storage.WriteStateAsync("state", Id("a"), state);
        }

        await _storage.WriteStateAsync("state", Id("b"), new GrainState<CounterState>(new CounterState()));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => _storage.WriteStateAsync("state", Id("a"), new GrainState<CounterState>(new CounterState(), "stale")));

        var files = Directory.GetFiles(_root.Path, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToArray();
        Assert.Equal(2, files.Length);
        Assert.All(files, f => Assert.EndsWith(".state", f));
    }

    [Fact]
    public async Task Concurrent_writes_with_the_same_etag_let_exactly_one_win()
    {
        var initial = new GrainState<CounterState>(new CounterState());
        await _storage.WriteStateAsync("state", Id("a"), initial);

        var attempts = Enumerable.Range(1, 32).Select(async i =>
        {
            await Task.Yield();
            var state = new GrainState<CounterState>(new CounterState { Value = i }, initial.ETag);
            try
            {
                await _storage.WriteStateAsync("state", Id("a"), state);
                return (Won: true, i);
            }
            catch (InconsistentStateException)
            {
                return (Won: false, i);
            }
        }).ToArray();
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Won);
        Assert.Equal(winner.i, (await Read("state", Id("a"))).State!.Value);
    }

    [Fact]
    public async Task Concurrent_read_modify_write_loops_lose_no_updates()
    {
        const int Workers = 8;
        const int IncrementsPerWorker = 25;

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var done = 0; done < IncrementsPerWorker;)
            {
                var state = await Read("state", Id("counter"));
                state.State!.Value++;
                try
                {
                    await _storage.WriteStateAsync("state", Id("counter"), state);
                    done++;
                }
                catch (InconsistentStateException)
                {
                    // Someone else won this round: re-read and retry.
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(Workers * IncrementsPerWorker, (await Read("state", Id("counter"))).State!.Value);
    }

    [Fact]
    public async Task A_second_storage_instance_on_the_same_root_sees_the_data()
    {
        await _storage.WriteStateAsync("state", Id("a"), new GrainState<CounterState>(new CounterState { Value = 5 }));

        var other = StorageServices.CreateStorage(_root.Path, "other");
        var read = new GrainState<CounterState>(new CounterState());
        await other.ReadStateAsync("state", Id("a"), read);

        Assert.Equal(5, read.State!.Value);
    }

    [Fact]
    public async Task Corrupt_file_is_reported_not_treated_as_missing()
    {
        await _storage.WriteStateAsync("state", Id("a"), new GrainState<CounterState>(new CounterState { Value = 5 }));
        var path = _storage.GetFilePath("state", Id("a"));
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..^1]);

        await Assert.ThrowsAsync<InvalidDataException>(() => Read("state", Id("a")));
    }

    [Fact]
    public void Root_path_is_required()
    {
        Assert.Throws<ArgumentException>(() => StorageServices.CreateStorage(" "));
    }

    private async Task<GrainState<CounterState>> Read(string stateName, GrainId id)
    {
        var state = new GrainState<CounterState>(new CounterState());
        await _storage.ReadStateAsync(stateName, id, state);
        return state;
    }
}
