using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRegistry.Extensions.Audit;

/// <summary>
/// The audit log as append-only JSON lines in files of the data directory (<c>audit-&lt;time&gt;.jsonl</c>),
/// rotated by size and bounded by count. Entries are queued and written by one writer, each batch
/// flushed to disk; a request never waits for its entry. Reads go through the files newest first.
/// </summary>
public sealed class FileAuditLog(IOptions<AuditOptions> options, ILogger<FileAuditLog> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly SemaphoreSlim _files = new(1, 1);

    private AuditOptions Options => options.Value;

    private string Directory => Options.Path!;

    public void Record(AuditEntry entry) => _queue.Writer.TryWrite(entry);

    /// <summary>Entries newest first that pass <paramref name="wanted"/>, at most <paramref name="limit"/>, older than <paramref name="before"/>.</summary>
    public async Task<List<AuditEntry>> QueryAsync(Func<AuditEntry, bool> wanted, DateTimeOffset? before, int limit, CancellationToken cancellationToken)
    {
        await FlushPendingAsync(cancellationToken);
        var found = new List<AuditEntry>();
        foreach (var file in Files().Reverse())
        {
            string[] lines;
            await _files.WaitAsync(cancellationToken);
            try
            {
                lines = await File.ReadAllLinesAsync(file, cancellationToken);
            }
            finally
            {
                _files.Release();
            }

            for (var i = lines.Length - 1; i >= 0 && found.Count < limit; i--)
            {
                if (lines[i].Length > 0 && JsonSerializer.Deserialize<AuditEntry>(lines[i], Json) is { } entry
                    && (before is null || entry.Time < before) && wanted(entry))
                {
                    found.Add(entry);
                }
            }

            if (found.Count >= limit)
            {
                break;
            }
        }

        return found;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await FlushPendingAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await FlushPendingAsync(CancellationToken.None);
    }

    /// <summary>Writes what is queued now, in one append and one flush to disk.</summary>
    private async Task FlushPendingAsync(CancellationToken cancellationToken)
    {
        await _files.WaitAsync(cancellationToken);
        try
        {
            var batch = new List<AuditEntry>();
            while (_queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            if (batch.Count == 0)
            {
                return;
            }

            var path = CurrentFile();
            await using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read))
            {
                foreach (var entry in batch)
                {
                    await stream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(entry, Json), cancellationToken);
                    stream.WriteByte((byte)'\n');
                }

                stream.Flush(flushToDisk: true);
            }
        }
        catch (IOException error)
        {
            logger.LogError(error, "audit entries could not be written to {Directory}", Directory);
        }
        finally
        {
            _files.Release();
        }
    }

    /// <summary>The file to append to: the newest while under the size, else a new one (the oldest beyond the count deleted).</summary>
    private string CurrentFile()
    {
        var files = Files().ToList();
        if (files.Count > 0 && new FileInfo(files[^1]).Length < Options.MaxFileBytes)
        {
            return files[^1];
        }

        foreach (var old in files.Take(Math.Max(0, files.Count + 1 - Options.MaxFiles)))
        {
            File.Delete(old);
        }

        return System.IO.Path.Combine(Directory, $"audit-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssfffffff}.jsonl");
    }

    private IEnumerable<string> Files() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "audit-*.jsonl").Order(StringComparer.Ordinal)
            : [];
}
