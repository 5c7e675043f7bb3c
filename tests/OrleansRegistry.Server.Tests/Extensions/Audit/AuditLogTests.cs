using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRegistry.Extensions.Audit;
using OrleansRegistry.Server.Tests.Infrastructure;
using OrleansRegistry.Storage;
using OrleansRegistry.Storage.AzureBlob;
using OrleansRegistry.Storage.FileSystem;

namespace OrleansRegistry.Server.Tests.Extensions.Audit;

/// <summary>
/// The audit log over the real append-log stores: Azure append blobs in Azurite shared by two writers
/// (two silos of a cluster), and files. Entries are written by the query's flush, as a silo's writer would.
/// </summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private readonly string _container = "test-" + Guid.NewGuid().ToString("N");
    private readonly string _directory = Directory.CreateTempSubdirectory("orleans-registry-audit-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await AzuriteSettings.DeleteContainerAsync(_container);
        Directory.Delete(_directory, recursive: true);
    }

    private IAppendLogStore Azure() => new AzureAppendLogStore(new BlobServiceClient(AzuriteSettings.ConnectionString).GetBlobContainerClient(_container));

    private static AuditLog Writer(IAppendLogStore store, long maxFileBytes = 16 << 20, int maxFiles = 16) =>
        new(store, Microsoft.Extensions.Options.Options.Create(new AuditOptions { MaxFileBytes = maxFileBytes, MaxFiles = maxFiles }),
            TimeProvider.System, NullLogger<AuditLog>.Instance);

    private static AuditEntry Entry(DateTimeOffset time, string actor, string repository = "team/app") =>
        new() { Time = time, Actor = actor, Action = "push", Repository = repository, Decision = AuditDecisions.Allowed };

    private static Task<List<AuditEntry>> AllAsync(AuditLog log, int limit = 1000, DateTimeOffset? before = null) =>
        log.QueryAsync(_ => true, since: null, before, limit, CancellationToken.None);

    [Fact]
    public async Task Two_silos_write_their_own_logs_and_each_reads_both_newest_first()
    {
        var store = Azure();
        var silo1 = Writer(store);
        var silo2 = Writer(store);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        for (var i = 0; i < 10; i++)
        {
            (i % 2 == 0 ? silo1 : silo2).Record(Entry(start.AddSeconds(i), $"user{i}"));
        }

        await AllAsync(silo1);
        await AllAsync(silo2);

        Assert.Equal(2, await store.ListAsync(AuditLog.Prefix, CancellationToken.None).CountAsync());
        var expected = Enumerable.Range(0, 10).Reverse().Select(i => $"user{i}").ToList();
        Assert.Equal(expected, (await AllAsync(silo1)).Select(e => e.Actor));
        Assert.Equal(expected, (await AllAsync(silo2)).Select(e => e.Actor));
    }

    [Fact]
    public async Task Pages_follow_each_other_across_both_silos_logs()
    {
        var store = Azure();
        var silo1 = Writer(store);
        var silo2 = Writer(store);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        for (var i = 0; i < 9; i++)
        {
            (i < 5 ? silo1 : silo2).Record(Entry(start.AddSeconds(i % 2 == 0 ? i : 20 - i), $"user{i}"));
        }

        await AllAsync(silo1);

        var pages = new List<string?>();
        DateTimeOffset? before = null;
        for (var page = await AllAsync(silo2, limit: 4); page.Count > 0; page = await AllAsync(silo2, limit: 4, before))
        {
            pages.AddRange(page.Select(e => e.Actor));
            before = page[^1].Time;
        }

        var byTime = Enumerable.Range(0, 9).OrderByDescending(i => i % 2 == 0 ? i : 20 - i).Select(i => $"user{i}");
        Assert.Equal(byTime, pages);
    }

    [Fact]
    public async Task Logs_rotate_by_size_and_the_oldest_beyond_the_count_are_deleted()
    {
        var store = new FileSystemAppendLogStore(_directory);
        var log = Writer(store, maxFileBytes: 400, maxFiles: 3);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        for (var i = 0; i < 30; i++)
        {
            log.Record(Entry(start.AddSeconds(i), $"user{i}"));
            await AllAsync(log, limit: 1);
        }

        var logs = await store.ListAsync(AuditLog.Prefix, CancellationToken.None).ToListAsync();
        Assert.Equal(3, logs.Count);
        Assert.All(logs, l => Assert.InRange(l.Length, 1, 400));
        var kept = await AllAsync(log);
        Assert.Equal("user29", kept[0].Actor);
        Assert.InRange(kept.Count, 3, 29);
        Assert.Equal(Enumerable.Range(30 - kept.Count, kept.Count).Reverse().Select(i => $"user{i}"), kept.Select(e => e.Actor));
    }

    [Fact]
    public async Task A_torn_line_left_by_a_crash_is_skipped()
    {
        var store = new FileSystemAppendLogStore(_directory);
        var log = Writer(store);
        log.Record(Entry(DateTimeOffset.UtcNow.AddSeconds(-5), "before"));
        await AllAsync(log);
        var name = (await store.ListAsync(AuditLog.Prefix, CancellationToken.None).SingleAsync()).Name;
        await store.AppendAsync(name, "{\"time\":\"2026-"u8.ToArray(), CancellationToken.None);

        Assert.Equal(["before"], (await AllAsync(Writer(store))).Select(e => e.Actor));
    }

    [Fact]
    public async Task Filters_apply_and_since_stops_the_reading()
    {
        var store = Azure();
        var log = Writer(store);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        log.Record(Entry(start, "alice", "team/a"));
        log.Record(Entry(start.AddSeconds(1), "bob", "team/b"));
        log.Record(Entry(start.AddSeconds(2), "alice", "team/b"));

        var alice = await log.QueryAsync(e => e.Actor == "alice", since: null, before: null, 10, CancellationToken.None);
        var recent = await log.QueryAsync(_ => true, since: start.AddSeconds(1), before: null, 10, CancellationToken.None);

        Assert.Equal(["team/b", "team/a"], alice.Select(e => e.Repository));
        Assert.Equal(["alice", "bob"], recent.Select(e => e.Actor));
    }
}
