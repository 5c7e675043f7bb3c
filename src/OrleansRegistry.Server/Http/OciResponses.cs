using Microsoft.Net.Http.Headers;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Server.Http;

/// <summary>Writes OCI error bodies: <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
public static class OciResponses
{
    public static Task WriteErrorAsync(HttpContext context, OciException error) =>
        WriteErrorAsync(context, error.StatusCode, error.Errors);

    public static async Task WriteErrorAsync(HttpContext context, int status, IReadOnlyList<OciError> errors)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers.Remove(HeaderNames.ETag);
        response.Headers.Remove(RegistryHeaders.ContentDigest);
        response.ContentType = "application/json; charset=utf-8";
        var body = OciErrorBody.ToUtf8Json(errors);
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>A 405 with the methods the resource does allow.</summary>
    public static OciException MethodNotAllowed(HttpContext context, IEnumerable<string> allowed, string detail)
    {
        context.Response.Headers.Allow = string.Join(", ", allowed);
        return new OciException(OciErrorCode.Unsupported, "the operation is unsupported", detail, StatusCodes.Status405MethodNotAllowed);
    }
}
