using Microsoft.Extensions.Options;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.Manifests;
using OrleansRegistry.Core.Media;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Manifests;

/// <summary>Stores, resolves and deletes manifests: the bytes in blob storage, the record in the repository grain.</summary>
public sealed class ManifestService(IGrainFactory grains, IBlobStore store, IOptions<RegistryOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Validates and stores a manifest pushed to <paramref name="reference"/> (a tag or a digest).
    /// The bytes are stored exactly as sent and become visible only once the repository has the record.
    /// </summary>
    public async Task<ManifestRecord> PutAsync(
        string repository, string? tag, Digest? expected, byte[] body, string? contentType, CancellationToken cancellationToken)
    {
        var digest = Digest.Compute(expected?.Algorithm ?? DigestAlgorithm.Sha256, body);
        if (expected is { } wanted && wanted != digest)
        {
            throw new OciException(OciErrorCode.DigestInvalid, "the manifest does not match the digest in the URL",
                new { expected = wanted.ToString(), actual = digest.ToString() });
        }

        var parsed = ManifestParser.Parse(body, contentType);
        if (!parsed.IsValid)
        {
            throw parsed.ToException();
        }

        var manifest = parsed.Manifest!;
        var location = await store.PutAsync(digest, body, cancellationToken);
        var record = new ManifestRecord
        {
            Digest = digest.ToString(),
            MediaType = manifest.MediaType,
            Size = body.Length,
            Location = location.Value,
            Subject = manifest.Subject?.Digest.ToString(),
            ArtifactType = manifest.ArtifactType,
            Annotations = manifest.Annotations is null ? null : new(manifest.Annotations),
            Blobs = [.. manifest.ReferencedBlobs.Where(d => !IsNonDistributable(d.MediaType)).Select(d => d.Digest.ToString())],
            ChildManifests = [.. manifest.ReferencedManifests.Select(d => d.Digest.ToString())],
            PushedAt = clock.GetUtcNow(),
        };

        var result = await Repository(repository).PutManifest(record, tag, options.Value.RequireIndexChildren);
        if (result.Status != PutManifestStatus.Stored)
        {
            var what = result.Status == PutManifestStatus.BlobUnknown ? "blob" : "manifest";
            throw new OciException(StatusCodes.Status400BadRequest, [.. result.Missing.Select(d =>
                new OciError(OciErrorCode.ManifestBlobUnknown, $"referenced {what} is not in the repository", new { digest = d }))]);
        }

        return record;
    }

    /// <summary>The manifest a tag or digest names, or MANIFEST_UNKNOWN / NAME_UNKNOWN.</summary>
    public async Task<ManifestRecord> ResolveAsync(string repository, string reference)
    {
        var grain = Repository(repository);
        var record = Digest.TryParse(reference, out var digest)
            ? await grain.GetManifest(digest.ToString())
            : await grain.ResolveTag(reference);
        return record ?? throw new OciException(OciErrorCode.ManifestUnknown, detail: new { reference });
    }

    public Task<Stream> OpenAsync(ManifestRecord record, CancellationToken cancellationToken) =>
        store.OpenReadAsync(new BlobLocation(record.Location), 0, null, cancellationToken);

    public async Task DeleteAsync(string repository, string reference)
    {
        var grain = Repository(repository);
        var deleted = Digest.TryParse(reference, out var digest)
            ? await grain.DeleteManifest(digest.ToString())
            : await grain.DeleteTag(reference);
        if (!deleted)
        {
            throw new OciException(OciErrorCode.ManifestUnknown, detail: new { reference });
        }
    }

    /// <summary>Foreign / non-distributable layers are not pushed to registries, so they are not required to be here.</summary>
    private static bool IsNonDistributable(string mediaType) =>
        mediaType.Contains("foreign", StringComparison.Ordinal) || mediaType.Contains("nondistributable", StringComparison.Ordinal);

    private IRepositoryGrain Repository(string name) => grains.GetGrain<IRepositoryGrain>(name);
}
