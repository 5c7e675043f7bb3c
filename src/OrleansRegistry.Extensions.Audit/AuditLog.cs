using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Extensions.Audit;

/// <summary>
/// The audit log as append-only JSON lines in the registry's append logs (<see cref="IAppendLogStore"/>:
/// files under the data directory, Azure append blobs in a cluster), shared by every silo. Each process
/// writes logs of its own, <c>audit/&lt;start time&gt;-&lt;host&gt;-&lt;id&gt;.jsonl</c>, rotated by size, and
/// the oldest logs of all beyond <see cref="AuditOptions.MaxFiles"/> are deleted. Entries are queued and
/// written by one writer, each batch in one durable append; a request never waits for its entry. A
/// batch that cannot be written is kept and tried again (the oldest dropped past the queue's bound).
/// Reads go through every process's logs, newest first.
/// </summary>
public sealed class AuditLog(IAppendLogStore logs, IOptions<AuditOptions> options, TimeProvider clock, ILogger<AuditLog> logger) : BackgroundService, IAuditTrail
{
    public const string Prefix = "audit/";
    private const int QueueBound = 100_000;

    /// <summary>How far a log's last append (storage's clock) may trail its entries' times (the silos' clocks).</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>The host and a random id: unique per writer, and says to an operator whose log it is.</summary>
    private readonly string _writerName = WriterName();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(
        new BoundedChannelOptions(QueueBound) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly List<AuditEntry> _unwritten = [];
    private string? _current;
    private long _currentLength;

    private AuditOptions Options => options.Value;

    public void Record(AuditEntry entry) => _queue.Writer.TryWrite(entry);

    public void RecordSystemAction(string actor, string action, string? repository, string? digest, string reason) => Record(new AuditEntry
    {
        Time = clock.GetUtcNow(),
        Actor = actor,
        Action = action,
        Repository = repository,
        Digest = digest,
        Decision = AuditDecisions.Allowed,
        Reason = reason,
    });

    /// <summary>
    /// Entries newest first that pass <paramref name="wanted"/>, at most <paramref name="limit"/>, older
    /// than <paramref name="before"/> and not older than <paramref name="since"/>. Logs are read newest
    /// append first; reading stops at a log whose last append is older than the oldest entry kept.
    /// </summary>
    public async Task<List<AuditEntry>> QueryAsync(Func<AuditEntry, bool> wanted, DateTimeOffset? since, DateTimeOffset? before, int limit, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        var kept = new PriorityQueue<AuditEntry, DateTimeOffset>();
        var files = await logs.ListAsync(Prefix, cancellationToken).OrderByDescending(l => l.LastModified).ToListAsync(cancellationToken);
        foreach (var file in files)
        {
            var newestPossible = file.LastModified + ClockSkew;
            if ((since is not null && newestPossible < since) || (kept.Count >= limit && newestPossible < kept.Peek().Time))
            {
                break;
            }

            await foreach (var entry in ReadAsync(file.Name, cancellationToken))
            {
                if ((before is null || entry.Time < before) && (since is null || entry.Time >= since) && wanted(entry))
                {
                    kept.Enqueue(entry, entry.Time);
                    if (kept.Count > limit)
                    {
                        kept.Dequeue();
                    }
                }
            }
        }

        return [.. kept.UnorderedItems.Select(e => e.Element).OrderByDescending(e => e.Time)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                if (_unwritten.Count == 0)
                {
                    await _queue.Reader.WaitToReadAsync(stoppingToken);
                }
                else
                {
                    await Task.Delay(RetryDelay, clock, stoppingToken);
                }

                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await FlushAsync(CancellationToken.None);
    }

    /// <summary>Writes what is queued now (and what failed before) in as few appends as the size allows.</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        try
        {
            while (_queue.Reader.TryRead(out var entry))
            {
                _unwritten.Add(entry);
            }

            if (_unwritten.Count > QueueBound)
            {
                _unwritten.RemoveRange(0, _unwritten.Count - QueueBound);
            }

            while (_unwritten.Count > 0)
            {
                var (records, count) = Serialize(_unwritten);
                await AppendAsync(records, cancellationToken);
                _unwritten.RemoveRange(0, count);
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            logger.LogError(error, "{Count} audit entries could not be written yet; trying again in {Delay}", _unwritten.Count, RetryDelay);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>The first entries that fit one append, as JSON lines, and how many they are.</summary>
    private static (byte[] Records, int Count) Serialize(List<AuditEntry> entries)
    {
        using var buffer = new MemoryStream();
        var count = 0;
        foreach (var entry in entries)
        {
            var line = JsonSerializer.SerializeToUtf8Bytes(entry, Json);
            if (count > 0 && buffer.Length + line.Length + 1 > AppendLogNames.MaxAppendBytes)
            {
                break;
            }

            buffer.Write(line);
            buffer.WriteByte((byte)'\n');
            count++;
        }

        return (buffer.ToArray(), count);
    }

    private async Task AppendAsync(byte[] records, CancellationToken cancellationToken)
    {
        if (_current is null || _currentLength + records.Length > Options.MaxFileBytes)
        {
            await BeginLogAsync(cancellationToken);
        }

        try
        {
            await logs.AppendAsync(_current!, records, cancellationToken);
        }
        catch (AppendLogFullException)
        {
            await BeginLogAsync(cancellationToken);
            await logs.AppendAsync(_current!, records, cancellationToken);
        }

        _currentLength += records.Length;
    }

    /// <summary>Names this process's next log, and deletes the oldest logs of all past the count.</summary>
    private async Task BeginLogAsync(CancellationToken cancellationToken)
    {
        var existing = await logs.ListAsync(Prefix, cancellationToken).OrderBy(l => l.LastModified).ToListAsync(cancellationToken);
        foreach (var old in existing.Take(Math.Max(0, existing.Count + 1 - Options.MaxFiles)))
        {
            await logs.DeleteAsync(old.Name, cancellationToken);
        }

        _current = $"{Prefix}{clock.GetUtcNow():yyyyMMddTHHmmssfff}-{_writerName}.jsonl";
        _currentLength = 0;
    }

    private static string WriterName()
    {
        var host = new string([.. Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        var id = Guid.NewGuid().ToString("N")[..8];
        return host.Length > 0 ? $"{host}-{id}" : id;
    }

    private async IAsyncEnumerable<AuditEntry> ReadAsync(string name, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await logs.OpenReadAsync(name, cancellationToken);
        }
        catch (BlobNotFoundException)
        {
            // Deleted by retention since it was listed.
            yield break;
        }

        await using (stream)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (Parse(line) is { } entry)
                {
                    yield return entry;
                }
            }
        }
    }

    /// <summary>An entry, or null for an empty or torn line (a crash during an append).</summary>
    private static AuditEntry? Parse(string line)
    {
        try
        {
            return line.Length == 0 ? null : JsonSerializer.Deserialize<AuditEntry>(line, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
