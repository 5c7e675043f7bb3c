using Microsoft.Extensions.Logging;
using OrleansRegistry.Contracts.Policies;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Server.Policies;

/// <summary>
/// Where the write path asks the <see cref="IWritePolicy"/>s (<see cref="Manifests.ManifestService"/> calls it
/// before it stores a manifest or deletes a tag or manifest). When no policy governs the repository
/// (asked from their memory) a write costs nothing more; otherwise one interleaved read of the
/// repository grain tells what the write would change. A refusal is <see cref="OciErrorCode.Denied"/>
/// with the policy's status and message. Each check returns a <see cref="WriteAdmission"/> that the
/// caller disposes once the write ended, so a policy's reservation (a quota's bytes) is settled.
/// </summary>
/// <remarks>
/// The check and the write are two grain calls: two pushes racing to create the same tag are both
/// allowed and the later one wins, as without a policy.
/// </remarks>
public sealed class WritePolicyGate(IGrainFactory grains, IEnumerable<IWritePolicy> policies, ILogger<WritePolicyGate> logger)
{
    private readonly IWritePolicy[] _policies = [.. policies];

    /// <summary>
    /// Before a manifest of <paramref name="size"/> bytes referencing <paramref name="blobs"/> is stored under
    /// <paramref name="digest"/>, moving <paramref name="tag"/> to it when given.
    /// </summary>
    public async Task<WriteAdmission> CheckPushAsync(
        string repository, string digest, string? tag, long size, IReadOnlyList<string> blobs, CancellationToken cancellationToken)
    {
        if (Governing(repository) is not { } governing)
        {
            return WriteAdmission.Unreserved;
        }

        TagChange[] tags = tag is null ? [] : [new(tag, (await Repository(repository).ResolveTag(tag))?.Digest, digest)];
        return await EnforceAsync(governing, new WriteRequest(WriteAction.PushManifest, repository, digest, tags) { ManifestSize = size, Blobs = blobs },
            cancellationToken);
    }

    /// <summary>Before <paramref name="tag"/> is deleted; a tag that does not exist is left to the delete to answer.</summary>
    public async Task<WriteAdmission> CheckTagDeleteAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        if (Governing(repository) is not { } governing || await Repository(repository).ResolveTag(tag) is not { } current)
        {
            return WriteAdmission.Unreserved;
        }

        return await EnforceAsync(governing, new WriteRequest(WriteAction.DeleteTag, repository, current.Digest, [new(tag, current.Digest, null)]),
            cancellationToken);
    }

    /// <summary>Before the manifest <paramref name="digest"/> is deleted, with every tag that points at it.</summary>
    public async Task<WriteAdmission> CheckManifestDeleteAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        if (Governing(repository) is not { } governing)
        {
            return WriteAdmission.Unreserved;
        }

        var tags = await Repository(repository).TagsOf(digest);
        return await EnforceAsync(governing,
            new WriteRequest(WriteAction.DeleteManifest, repository, digest, [.. tags.Select(t => new TagChange(t, digest, null))]), cancellationToken);
    }

    private List<IWritePolicy>? Governing(string repository)
    {
        List<IWritePolicy>? governing = null;
        foreach (var policy in _policies)
        {
            if (policy.Governs(repository))
            {
                (governing ??= []).Add(policy);
            }
        }

        return governing;
    }

    /// <summary>Every governing policy's decision; a refusal (or a failure) first ends what the policies before it reserved.</summary>
    private async Task<WriteAdmission> EnforceAsync(List<IWritePolicy> governing, WriteRequest write, CancellationToken cancellationToken)
    {
        var admission = new WriteAdmission(error => logger.LogWarning(error, "a write policy's reservation for {Repository} was not ended", write.Repository));
        try
        {
            foreach (var policy in governing)
            {
                var decision = await policy.DecideAsync(write, cancellationToken);
                if (!decision.IsAllowed)
                {
                    throw new OciException(OciErrorCode.Denied, decision.Message, new { repository = write.Repository }, decision.StatusCode);
                }

                if (decision.Reservation is { } reservation)
                {
                    admission.Hold(reservation);
                }
            }
        }
        catch
        {
            await admission.DisposeAsync();
            throw;
        }

        return admission;
    }

    private IRepositoryGrain Repository(string name) => grains.GetGrain<IRepositoryGrain>(name);
}
