using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.Http;
using OrleansRegistry.Core.References;
using Microsoft.Extensions.Options;
using OrleansRegistry.Grains.Cluster;
using OrleansRegistry.Contracts.Cluster;
using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Routing;
using OrleansRegistry.Server.Uploads;

namespace OrleansRegistry.Server.Endpoints;

/// <summary>
/// <c>/v2/&lt;name&gt;/blobs/uploads/</c>: POST (start, monolithic, mount) and, per session,
/// GET status, PATCH a chunk, PUT to finish, DELETE to cancel.
/// </summary>
public sealed class UploadEndpoints(UploadService uploads, RegistryAccess access, IOptions<RegistryOptions> options)
{
    // With several silos, upload URLs name the silo hosting the session, for the edge to route to.
    private readonly bool _homeHints = options.Value.Cluster.IsMultiProcess;

    public async Task StartAsync(RegistryRequest request)
    {
        var mount = request.Query("mount");
        if (mount is not null && Digest.TryParse(mount, out var mountDigest))
        {
            var from = request.Query("from");
            var source = from is not null && RepositoryName.IsValid(from) ? from : null;
            if (from is null || source is not null)
            {
                var link = await uploads.TryMountAsync(request.Name, mountDigest, source,
                    access.Enabled ? name => access.MayPullAsync(request.Context, name) : null);
                if (link is not null)
                {
                    BlobCreated(request, mountDigest);
                    return;
                }
            }
        }

        var digestParameter = request.Query("digest");
        var monolithic = digestParameter is null ? (Digest?)null : BlobEndpoints.ParseDigest(digestParameter);
        var (uploadId, upload) = await uploads.StartAsync(request.Name, request.Aborted);
        if (monolithic is { } digest)
        {
            try
            {
                await uploads.AppendAsync(request.Name, uploadId, request.Request.Body, null, request.Aborted);
                await uploads.FinishAsync(request.Name, uploadId, digest, request.Aborted);
            }
            catch
            {
                // The client never learned this session's id: nobody can resume it.
                await uploads.AbandonAsync(uploadId);
                throw;
            }

            BlobCreated(request, digest);
            return;
        }

        request.Response.StatusCode = StatusCodes.Status202Accepted;
        UploadHeaders(request, uploadId, upload);
    }

    public async Task HandleAsync(RegistryRequest request)
    {
        // An id this registry cannot have handed out names no upload: 404, before a grain key or a
        // storage path is made from it (an empty key makes Orleans throw).
        if (!UploadId.IsValid(request.Argument))
        {
            throw new OciException(OciErrorCode.BlobUploadUnknown, detail: new { uploadId = Truncated(request.Argument) });
        }

        try
        {
            await (request.Request.Method switch
            {
                "GET" => StatusAsync(request),
                "PATCH" => PatchAsync(request),
                "PUT" => PutAsync(request),
                _ => CancelAsync(request),
            });
        }
        catch (UploadOffsetMismatchException mismatch)
        {
            UploadHeaders(request, request.Argument, mismatch.Upload);
            throw new OciException(OciErrorCode.BlobUploadInvalid, mismatch.Message,
                new { committed = mismatch.Upload.Length }, StatusCodes.Status416RangeNotSatisfiable);
        }
    }

    private async Task StatusAsync(RegistryRequest request)
    {
        var upload = await uploads.GetAsync(request.Name, request.Argument);
        request.Response.StatusCode = StatusCodes.Status204NoContent;
        UploadHeaders(request, request.Argument, upload);
    }

    private async Task PatchAsync(RegistryRequest request)
    {
        var upload = await uploads.AppendAsync(request.Name, request.Argument, request.Request.Body, ContentRange(request), request.Aborted);
        request.Response.StatusCode = StatusCodes.Status202Accepted;
        UploadHeaders(request, request.Argument, upload);
    }

    private async Task PutAsync(RegistryRequest request)
    {
        var digestParameter = request.Query("digest")
            ?? throw new OciException(OciErrorCode.DigestInvalid, "the digest query parameter is required");
        var digest = BlobEndpoints.ParseDigest(digestParameter);
        var range = ContentRange(request);
        if (range is not null || request.Request.ContentLength is > 0 || request.Request.Headers.TransferEncoding.Count > 0)
        {
            await uploads.AppendAsync(request.Name, request.Argument, request.Request.Body, range, request.Aborted);
        }

        await uploads.FinishAsync(request.Name, request.Argument, digest, request.Aborted);
        BlobCreated(request, digest);
    }

    private async Task CancelAsync(RegistryRequest request)
    {
        await uploads.CancelAsync(request.Name, request.Argument);
        request.Response.StatusCode = StatusCodes.Status204NoContent;
        request.Response.ContentLength = 0;
    }

    private static string Truncated(string value) => value.Length > 64 ? value[..64] : value;

    private static void BlobCreated(RegistryRequest request, Digest digest)
    {
        request.Response.StatusCode = StatusCodes.Status201Created;
        request.Response.Headers.Location = $"/v2/{request.Name}/blobs/{digest}";
        request.Response.Headers[RegistryHeaders.ContentDigest] = digest.ToString();
        request.Response.ContentLength = 0;
    }

    private void UploadHeaders(RegistryRequest request, string uploadId, UploadSnapshot upload)
    {
        var headers = request.Response.Headers;
        var location = $"/v2/{request.Name}/blobs/uploads/{uploadId}";
        headers.Location = _homeHints && upload.Home is { } home ? $"{location}?{SiloHint.QueryParameter}={home}" : location;
        headers[RegistryHeaders.UploadUuid] = uploadId;
        headers.Range = UploadRange.Format(upload.Length);
        request.Response.ContentLength = 0;
    }

    /// <summary>
    /// The OCI <c>Content-Range: &lt;start&gt;-&lt;end&gt;</c> of a chunk, parsed by hand: it has no
    /// unit, so ASP.NET's RFC 9110 parser rejects it.
    /// </summary>
    private static (long Start, long End)? ContentRange(RegistryRequest request)
    {
        var value = request.Request.Headers.ContentRange.ToString();
        if (value.Length == 0)
        {
            return null;
        }

        return ContentRangeParser.TryParseUploadRange(value, out var start, out var end)
            ? (start, end)
            : throw new OciException(OciErrorCode.BlobUploadInvalid, "invalid Content-Range", new { contentRange = value },
                StatusCodes.Status416RangeNotSatisfiable);
    }
}
