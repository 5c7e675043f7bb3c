using Microsoft.Extensions.Options;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.Media;
using OrleansRegistry.Core.References;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Server.Events;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Manifests;
using OrleansRegistry.Server.Routing;
using OrleansRegistry.Server.Telemetry;

namespace OrleansRegistry.Server.Endpoints;

/// <summary><c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>: GET, HEAD, PUT and DELETE by tag or digest.</summary>
public sealed class ManifestEndpoints(ManifestService manifests, IOptions<RegistryOptions> options, RegistryMetrics metrics, PullEventRecorder pulls)
{
    public Task HandleAsync(RegistryRequest request)
    {
        if (request.Request.Method == "PUT")
        {
            return PutAsync(request, ParsePutReference(request.Argument));
        }

        // A reference that cannot name a manifest names none that exists: 404 (the spec's "not found"
        // rule, whatever the reference looks like), decided before any grain is asked.
        if (!Reference.TryParse(request.Argument, out var reference))
        {
            throw ManifestService.Unknown(request.Argument);
        }

        return request.Request.Method == "DELETE" ? DeleteAsync(request, reference) : GetAsync(request, reference);
    }

    private async Task GetAsync(RegistryRequest request, Reference reference)
    {
        // Existence always comes from the repository grain (read-your-writes, a delete is seen at once);
        // only the immutable bytes come from this silo's cache.
        var record = await manifests.ResolveAsync(request.Name, reference);
        var acceptHeader = request.Request.Headers.Accept;
        var accept = acceptHeader.Count == 1 ? acceptHeader[0] ?? "" : string.Join(',', acceptHeader.ToArray());
        if (accept.Length > 0 && !AcceptNegotiation.Accepts(accept, record.MediaType))
        {
            throw new OciException(OciErrorCode.ManifestUnknown, "the manifest is not available in an accepted media type",
                new { mediaType = record.MediaType }, StatusCodes.Status404NotFound);
        }

        var cached = manifests.Peek(request.Name, record);
        var etag = cached?.ETag ?? $"\"{record.Digest}\"";
        var response = request.Response;
        response.ContentType = record.MediaType;
        response.ContentLength = record.Size;
        response.Headers[RegistryHeaders.ContentDigest] = record.Digest;
        response.Headers.ETag = etag;
        if (IfNoneMatch.Matches(request.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.ContentLength = null;
            return;
        }

        if (request.IsHead)
        {
            return;
        }

        var content = await manifests.GetBytesAsync(request.Name, record, cached, request.Aborted);
        await response.Body.WriteAsync(content.Bytes, request.Aborted);
        metrics.BytesPulled(ContentKind.Manifest, record.Size);
        pulls.Record(request.Context, request.Name, record, reference.Tag);
    }

    private async Task PutAsync(RegistryRequest request, Reference reference)
    {
        var body = await ReadManifestBodyAsync(request);
        var record = await manifests.PutAsync(
            request.Name,
            reference.IsDigest ? null : reference.Tag,
            reference.IsDigest ? reference.Digest : null,
            body,
            request.Request.ContentType,
            request.Aborted);
        metrics.BytesPushed(ContentKind.Manifest, body.Length);

        var response = request.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{request.Name}/manifests/{record.Digest}";
        response.Headers[RegistryHeaders.ContentDigest] = record.Digest;
        if (record.Subject is not null)
        {
            response.Headers[RegistryHeaders.OciSubject] = record.Subject;
        }

        response.ContentLength = 0;
    }

    private async Task DeleteAsync(RegistryRequest request, Reference reference)
    {
        await manifests.DeleteAsync(request.Name, reference, request.Aborted);
        request.Response.StatusCode = StatusCodes.Status202Accepted;
        request.Response.ContentLength = 0;
    }

    /// <summary>Reads the body up to the configured maximum; 413 beyond it, without reading the rest.</summary>
    private async Task<byte[]> ReadManifestBodyAsync(RegistryRequest request)
    {
        var max = options.Value.MaxManifestBytes;
        var declared = request.Request.ContentLength;
        if (declared > max)
        {
            throw TooLarge(max);
        }

        using var buffer = new MemoryStream(declared is { } d ? (int)d : 4096);
        var chunk = new byte[Math.Min(max + 1, 81920)];
        int read;
        while ((read = await request.Request.Body.ReadAsync(chunk, request.Aborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > max)
            {
                throw TooLarge(max);
            }
        }

        return buffer.ToArray();
    }

    private static OciException TooLarge(long max) =>
        new(OciErrorCode.SizeInvalid, "manifest exceeds the maximum size", new { maximum = max }, StatusCodes.Status413PayloadTooLarge);

    /// <summary>A PUT names what it creates: a malformed digest is DIGEST_INVALID, a malformed tag TAG_INVALID.</summary>
    private static Reference ParsePutReference(string value) =>
        Reference.TryParse(value, out var reference)
            ? reference
            : Reference.LooksLikeDigest(value)
                ? throw new OciException(OciErrorCode.DigestInvalid, "invalid digest", new { reference = value })
                : throw new OciException(OciErrorCode.TagInvalid, "invalid tag: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}", new { tag = value });
}
