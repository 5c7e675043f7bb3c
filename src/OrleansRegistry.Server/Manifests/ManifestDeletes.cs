using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Core.Errors;
using OrleansRegistry.Core.References;

namespace OrleansRegistry.Server.Manifests;

/// <summary><see cref="ManifestService.DeleteAsync"/> for extensions: its refusals and unknown references as results rather than errors.</summary>
public sealed class ManifestDeletes(ManifestService manifests) : IManifestDeletes
{
    public Task<DeleteResult> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken) =>
        DeleteAsync(repository, Reference.FromTag(tag), cancellationToken);

    public Task<DeleteResult> DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken) =>
        DeleteAsync(repository, Reference.FromDigest(Digest.Parse(digest)), cancellationToken);

    private async Task<DeleteResult> DeleteAsync(string repository, Reference reference, CancellationToken cancellationToken)
    {
        try
        {
            await manifests.DeleteAsync(repository, reference, cancellationToken);
            return DeleteResult.Deleted;
        }
        catch (OciException error) when (error.Code == OciErrorCode.Denied)
        {
            return new DeleteResult(DeleteStatus.Refused, error.Errors[0].Message);
        }
        catch (OciException error) when (error.Code == OciErrorCode.ManifestUnknown)
        {
            return DeleteResult.Missing;
        }
    }
}
