using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Extensions.Audit;

/// <summary>
/// <c>GET /api/v1/audit?repository=&amp;actor=&amp;action=&amp;since=&amp;before=&amp;limit=</c> (admins): entries
/// newest first, as <c>{"entries":[...],"next":"&lt;before for the next page&gt;"}</c>.
/// </summary>
public sealed class AuditEndpoints(AuditLog log)
{
    public void Map(IEndpointRouteBuilder api) => api.MapGet("/audit", (Func<HttpContext, Task<IResult>>)ListAsync);

    private async Task<IResult> ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var limit = 100;
        if (query.TryGetValue("limit", out var value) && (!int.TryParse(value, out limit) || limit is < 1 or > 1000))
        {
            throw BadRequest("limit must be 1 to 1000");
        }

        var since = Time(query["since"].ToString(), "since");
        var before = Time(query["before"].ToString(), "before");
        string repository = query["repository"].ToString(), actor = query["actor"].ToString(), action = query["action"].ToString();
        var entries = await log.QueryAsync(e =>
            (repository.Length == 0 || e.Repository == repository)
            && (actor.Length == 0 || e.Actor == actor)
            && (action.Length == 0 || e.Action == action), since, before, limit, context.RequestAborted);
        return Results.Json(new { entries, next = entries.Count == limit ? entries[^1].Time : (DateTimeOffset?)null });
    }

    private static DateTimeOffset? Time(string value, string name) =>
        value.Length == 0 ? null
        : DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw BadRequest($"{name} must be a time (ISO 8601)");

    private static OciException BadRequest(string message) => AdminRequests.BadRequest(message);
}
