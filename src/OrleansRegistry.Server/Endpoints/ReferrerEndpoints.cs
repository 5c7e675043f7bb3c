using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Media;
using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Referrers;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Routing;

namespace OrleansRegistry.Server.Endpoints;

/// <summary>
/// <c>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>: an image index of the manifests whose subject
/// is the digest, empty rather than 404, optionally filtered by <c>artifactType</c>.
/// </summary>
public sealed class ReferrerEndpoints(IGrainFactory grains)
{
    public async Task HandleAsync(RegistryRequest request)
    {
        var subject = BlobEndpoints.ParseDigest(request.Argument);
        var entries = await grains.GetGrain<IRepositoryGrain>(request.Name).GetReferrers(subject.ToString());
        var artifactType = request.Query("artifactType");
        if (artifactType is not null)
        {
            entries = [.. entries.Where(e => e.ArtifactType == artifactType)];
            request.Response.Headers[RegistryHeaders.OciFiltersApplied] = "artifactType";
        }

        var body = ReferrersIndex.BuildIndexJson(entries.Select(e =>
            new Descriptor(e.MediaType, Digest.Parse(e.Digest), e.Size, e.ArtifactType, e.Annotations)));
        request.Response.ContentType = MediaTypes.OciIndex;
        request.Response.ContentLength = body.Length;
        await request.Response.Body.WriteAsync(body, request.Aborted);
    }
}
