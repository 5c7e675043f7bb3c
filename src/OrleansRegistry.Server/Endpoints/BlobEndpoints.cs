using Microsoft.Net.Http.Headers;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.Http;
using OrleansRegistry.Grains.Blobs;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Routing;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Endpoints;

/// <summary>
/// <c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: GET (with Range) and HEAD of blobs linked into the
/// repository, streamed from storage through pooled buffers; DELETE unlinks.
/// </summary>
public sealed class BlobEndpoints(IGrainFactory grains, IBlobStore store, RegistryMetrics metrics)
{
    // Large enough that a 50 MiB blob is a few dozen socket writes.
    private const int CopyBufferSize = 256 * 1024;

    public Task HandleAsync(RegistryRequest request) =>
        HttpMethods.IsDelete(request.Request.Method) ? DeleteAsync(request) : GetAsync(request);

    private async Task GetAsync(RegistryRequest request)
    {
        var digest = ParseDigest(request.Argument);
        var link = await grains.GetGrain<IRepositoryGrain>(request.Name).GetBlob(digest.ToString())
            ?? throw new OciException(OciErrorCode.BlobUnknown, detail: new { digest = digest.ToString() });

        var response = request.Response;
        var headers = response.Headers;
        headers[RegistryHeaders.ContentDigest] = digest.ToString();
        headers.ETag = $"\"{digest}\"";
        headers.AcceptRanges = "bytes";
        headers.CacheControl = "max-age=31536000";
        response.ContentType = "application/octet-stream";

        if (IfNoneMatch(request, digest))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        long offset = 0, length = link.Size;
        var rangeHeader = request.Request.Headers.Range.ToString();
        if (rangeHeader.Length > 0)
        {
            // Parsed: 206. Unsatisfiable: 416. Anything else (several ranges, another unit): ignored, 200.
            if (RangeHeaderParser.TryParse(rangeHeader, link.Size, out var range, out var unsatisfiable))
            {
                (offset, length) = (range.Start, range.Length);
                response.StatusCode = StatusCodes.Status206PartialContent;
                headers.ContentRange = ContentRangeHeader.Format(offset, length, link.Size);
            }
            else if (unsatisfiable)
            {
                headers.ContentRange = ContentRangeHeader.FormatUnsatisfiable(link.Size);
                throw new OciException(OciErrorCode.BlobUnknown, "requested range not satisfiable",
                    new { range = rangeHeader, size = link.Size }, StatusCodes.Status416RangeNotSatisfiable);
            }
        }

        response.ContentLength = length;
        if (request.IsHead || length == 0)
        {
            return;
        }

        await using var content = await store.OpenReadAsync(new BlobLocation(link.Location), offset, length, request.Aborted);
        await content.CopyToAsync(response.Body, CopyBufferSize, request.Aborted);
        metrics.BytesPulled(ContentKind.Blob, length);
    }

    private async Task DeleteAsync(RegistryRequest request)
    {
        var digest = ParseDigest(request.Argument);
        if (!await grains.GetGrain<IRepositoryGrain>(request.Name).UnlinkBlob(digest.ToString()))
        {
            throw new OciException(OciErrorCode.BlobUnknown, detail: new { digest = digest.ToString() });
        }

        // The bytes stay until garbage collection finds no repository and no manifest that needs them.
        await grains.GetGrain<IBlobGrain>(digest.ToString()).RemoveRepository(request.Name);
        request.Response.StatusCode = StatusCodes.Status202Accepted;
        request.Response.ContentLength = 0;
    }

    private static bool IfNoneMatch(RegistryRequest request, Digest digest)
    {
        var value = request.Request.Headers.IfNoneMatch.ToString();
        return value.Length > 0 && (value.Contains($"\"{digest}\"", StringComparison.Ordinal) || value.Trim() == "*");
    }

    internal static Digest ParseDigest(string value) =>
        Digest.TryParse(value, out var digest)
            ? digest
            : throw new OciException(OciErrorCode.DigestInvalid, detail: new { digest = value });
}
