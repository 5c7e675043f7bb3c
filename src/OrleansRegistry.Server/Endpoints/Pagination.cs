using System.Text.Json;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Server.Routing;

namespace OrleansRegistry.Server.Endpoints;

/// <summary>The <c>n</c>/<c>last</c> pagination shared by the tags list and the catalog, with an RFC 5988 <c>Link</c>.</summary>
public static class Pagination
{
    /// <summary>Upper bound of one page, so that one request cannot ask for an unbounded answer.</summary>
    public const int MaxPageSize = 10_000;

    public static (string? Last, int Limit) Read(RegistryRequest request)
    {
        var n = request.Query("n");
        var limit = MaxPageSize;
        if (n is not null)
        {
            if (!int.TryParse(n, out limit) || limit < 0)
            {
                throw new OciException(OciErrorCode.Unsupported, "invalid page size n", new { n }, StatusCodes.Status400BadRequest);
            }

            limit = Math.Min(limit, MaxPageSize);
        }

        return (request.Query("last"), limit);
    }

    public static async Task WriteAsync(RegistryRequest request, string listName, string? name, TagPage page, int limit)
    {
        if (page.HasMore && limit > 0 && page.Tags.Count > 0)
        {
            var path = $"{request.Request.PathBase}{request.Request.Path}";
            var last = Uri.EscapeDataString(page.Tags[^1]);
            request.Response.Headers.Link = $"<{path}?n={limit}&last={last}>; rel=\"next\"";
        }

        request.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (name is not null)
            {
                json.WriteString("name", name);
            }

            json.WriteStartArray(listName);
            foreach (var item in page.Tags)
            {
                json.WriteStringValue(item);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        request.Response.ContentLength = buffer.Length;
        await request.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), request.Aborted);
    }
}
