using System.IO.Pipelines;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.Http;
using OrleansRegistry.Grains.Blobs;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Routing;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Endpoints;

/// <summary>
/// <c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>: GET (with Range) and HEAD of blobs linked into the
/// repository, streamed from storage through pooled buffers; DELETE unlinks. When
/// <c>Registry:Cluster:Azure:Redirect:Enabled</c> is set and the store can sign read URLs
/// (<see cref="IBlobRedirects"/>), a GET is answered with a 307 to such a URL instead (never a HEAD;
/// a Range request only with <c>RedirectRanges</c>). The URL is a credential: it is put in the
/// <c>Location</c> header and nowhere else, never logged.
/// </summary>
public sealed class BlobEndpoints(
    IGrainFactory grains, IBlobStore store, RegistryMetrics metrics, IOptions<RegistryOptions> options, ILogger<BlobEndpoints> logger)
{
    private readonly BlobRedirectOptions redirect = options.Value.Cluster.Azure.Redirect;
    private readonly IBlobRedirects? redirects = options.Value.Cluster.Azure.Redirect.Enabled ? store as IBlobRedirects : null;

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
        if (IfNoneMatch.Matches(request.Request, $"\"{digest}\""))
        {
            SetContentHeaders(response, digest);
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var rangeHeader = request.Request.Headers.Range.ToString();
        if (redirects is not null && !request.IsHead && (rangeHeader.Length == 0 || (redirect.RedirectRanges && IsRedirectableRange(rangeHeader, link.Size)))
            && await TryRedirectAsync(request, redirects, digest, link.Location))
        {
            return;
        }

        SetContentHeaders(response, digest);
        long offset = 0, length = link.Size;
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
        // Read straight into Kestrel's output blocks (Registry:TransportBlockBytes): one copy out of
        // the page cache fewer than through an intermediate buffer.
        await content.CopyToAsync(response.BodyWriter, request.Aborted);
        metrics.BytesPulled(ContentKind.Blob, length);
    }

    /// <summary>
    /// 307 to a read URL of the blob, with <c>Docker-Content-Digest</c> and no body. False (the blob is
    /// then streamed) when the store has no URL for it or could not sign one: a redirect is an
    /// optimisation, a failure to sign is logged without the URL and never fails the pull.
    /// </summary>
    private async Task<bool> TryRedirectAsync(RegistryRequest request, IBlobRedirects signer, Digest digest, string location)
    {
        Uri? url;
        try
        {
            url = await signer.GetReadUrlAsync(new BlobLocation(location), redirect.Lifetime, request.Aborted);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning("could not sign a read URL for {Digest}, streaming it instead: {Error}", digest.ToString(), exception.Message);
            return false;
        }

        if (url is null)
        {
            return false;
        }

        var response = request.Response;
        response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        response.Headers.Location = url.AbsoluteUri;

        // The URL expires soon: no cache may keep this answer.
        response.Headers.CacheControl = "no-store";
        response.ContentLength = 0;
        metrics.BlobRedirected();
        return true;
    }

    /// <summary>
    /// A single satisfiable range with a first byte (<c>bytes=a-b</c>, <c>bytes=a-</c>), which the
    /// storage service answers as this server would. Suffix ranges (<c>bytes=-n</c>), several ranges,
    /// other units and unsatisfiable ranges are answered here.
    /// </summary>
    private static bool IsRedirectableRange(string rangeHeader, long size)
    {
        if (!RangeHeaderParser.TryParse(rangeHeader, size, out _, out _))
        {
            return false;
        }

        var spec = rangeHeader.AsSpan().Trim();
        return !spec["bytes=".Length..].TrimStart().StartsWith("-");
    }

    private static void SetContentHeaders(HttpResponse response, Digest digest)
    {
        var headers = response.Headers;
        headers.ETag = $"\"{digest}\"";
        headers.AcceptRanges = "bytes";
        headers.CacheControl = "max-age=31536000";
        response.ContentType = "application/octet-stream";
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

    internal static Digest ParseDigest(string value) =>
        Digest.TryParse(value, out var digest)
            ? digest
            : throw new OciException(OciErrorCode.DigestInvalid, detail: new { digest = value });
}
