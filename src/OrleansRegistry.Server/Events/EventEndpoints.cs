using OrleansRegistry.Contracts.Events;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Server.Events;

/// <summary>
/// <c>GET /api/v1/events?repository=&amp;action=&amp;limit=</c> (admins): the newest events of the log,
/// newest first, as <c>{"events":[...]}</c>; with <c>repository</c>, only that repository's (one
/// partition is read). Scans at most <see cref="MaxScanned"/> entries per partition.
/// </summary>
public sealed class EventEndpoints(IGrainFactory grains)
{
    public const int MaxScanned = 20_000;
    private const int Window = 1_000;

    public void Map(IEndpointRouteBuilder api) => api.MapGet("/events", (Func<HttpContext, Task<IResult>>)ListAsync);

    private async Task<IResult> ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var repository = query["repository"].ToString();
        var action = query["action"].ToString();
        var limit = 100;
        if (query.TryGetValue("limit", out var value) && (!int.TryParse(value, out limit) || limit is < 1 or > 1000))
        {
            throw new OciException(OciErrorCode.Unsupported, "limit must be 1 to 1000", statusCode: StatusCodes.Status400BadRequest);
        }

        if (repository.Length > 0 && !RepositoryName.IsValid(repository))
        {
            throw new OciException(OciErrorCode.NameInvalid, detail: new { repository });
        }

        bool Wanted(RegistryEvent e) => (repository.Length == 0 || e.Repository == repository) && (action.Length == 0 || e.Action == action);
        var partitions = repository.Length > 0 ? [EventPartitions.Of(repository)] : Enumerable.Range(0, EventPartitions.Count);
        var found = await Task.WhenAll(partitions.Select(p => NewestAsync(grains.GetGrain<IEventLogGrain>(p), Wanted, limit)));
        var events = found.SelectMany(f => f).OrderByDescending(e => e.Time).ThenByDescending(e => e.Sequence).Take(limit);
        return Results.Json(new { events });
    }

    /// <summary>The newest <paramref name="limit"/> wanted events of one partition, reading back a window at a time.</summary>
    private static async Task<List<RegistryEvent>> NewestAsync(IEventLogGrain log, Func<RegistryEvent, bool> wanted, int limit)
    {
        var head = await log.Read(long.MaxValue - 1, 0);
        var found = new List<RegistryEvent>();
        for (var end = head.Last; end >= head.First && found.Count < limit && head.Last - end < MaxScanned; end -= Window)
        {
            var page = await log.Read(Math.Max(end - Window, head.First - 1), Window);
            found.AddRange(page.Entries.Where(e => e.Position <= end).Select(e => e.Event).Where(wanted).Reverse());
        }

        return [.. found.Take(limit)];
    }
}
