using OrleansRegistry.Core.Errors;
using OrleansRegistry.Server.Cluster;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Http;

/// <summary>
/// Turns every failure into an OCI error response: client mistakes get the spec's status,
/// a full disk 507, unreachable storage or silo 503, anything unexpected a bare 500 without
/// internals (logged, never sent).
/// </summary>
public sealed class RegistryErrorMiddleware(RequestDelegate next, ILogger<RegistryErrorMiddleware> logger)
{
    // The spec has no code for a server fault; UNKNOWN is what clients already know from distribution.
    private static readonly byte[] InternalErrorBody =
        """{"errors":[{"code":"UNKNOWN","message":"internal server error"}]}"""u8.ToArray();

    private static readonly byte[] SiloUnavailableBody =
        """{"errors":[{"code":"UNAVAILABLE","message":"a silo of the cluster is unreachable; retry shortly"}]}"""u8.ToArray();

    private static readonly byte[] StorageUnavailableBody =
        """{"errors":[{"code":"UNAVAILABLE","message":"blob storage is unreachable; retry shortly"}]}"""u8.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OciException error) when (!context.Response.HasStarted)
        {
            await OciResponses.WriteErrorAsync(context, error);
        }
        catch (BadHttpRequestException error) when (!context.Response.HasStarted)
        {
            var status = error.StatusCode == StatusCodes.Status413PayloadTooLarge ? 413 : 400;
            var code = status == 413 ? OciErrorCode.SizeInvalid : OciErrorCode.BlobUploadInvalid;
            await OciResponses.WriteErrorAsync(context, status, [new OciError(code, error.Message)]);
        }
        catch (StorageFullException error) when (!context.Response.HasStarted)
        {
            logger.LogError(error, "storage is full");
            await OciResponses.WriteErrorAsync(context, StatusCodes.Status507InsufficientStorage,
                [new OciError(OciErrorCode.BlobUploadInvalid, "insufficient storage: nothing was stored")]);
        }
        catch (StorageUnavailableException error) when (!context.Response.HasStarted)
        {
            logger.LogError(error, "request {Method} {Path}: storage unavailable", context.Request.Method, context.Request.Path);
            await WriteUnavailableAsync(context, StorageUnavailableBody);
        }
        catch (Exception error) when (ClusterTransient.Is(error) && !context.Response.HasStarted)
        {
            // A silo died and the cluster has not declared it dead yet (a few seconds): the request
            // itself was fine, and every registry write is idempotent, so the client should retry.
            logger.LogWarning(error, "request {Method} {Path} hit a cluster transient", context.Request.Method, context.Request.Path);
            await WriteUnavailableAsync(context, SiloUnavailableBody);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception error) when (!context.Response.HasStarted)
        {
            logger.LogError(error, "request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.Body.WriteAsync(InternalErrorBody, CancellationToken.None);
        }
    }

    /// <summary>503 with Retry-After: the request was fine and every registry write is idempotent.</summary>
    private static async Task WriteUnavailableAsync(HttpContext context, byte[] body)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "1";
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(body, CancellationToken.None);
    }
}
