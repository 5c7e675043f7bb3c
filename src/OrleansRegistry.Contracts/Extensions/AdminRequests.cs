using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Contracts.Extensions;

/// <summary>What every admin route of an extension does with its requests: JSON bodies, and 400 with an OCI error body for bad ones.</summary>
public static class AdminRequests
{
    public static OciException BadRequest(string message) => new(OciErrorCode.Unsupported, message, statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The body as <typeparamref name="T"/>; an empty body is null when not <paramref name="required"/>. Anything not JSON of that shape is a 400.</summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpContext context, bool required = true)
        where T : class
    {
        if (!required && context.Request.ContentLength == 0)
        {
            return null;
        }

        try
        {
            return await context.Request.ReadFromJsonAsync<T>(JsonSerializerOptions.Web, context.RequestAborted)
                ?? (required ? throw BadRequest("a JSON body is required") : null);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
        {
            throw BadRequest(required ? "a JSON body is required" : "the body must be JSON");
        }
    }
}
