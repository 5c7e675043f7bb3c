namespace OrleansRegistry.Contracts.Repositories;

/// <summary>
/// The registry's own delete path, the one a <c>/v2</c> DELETE takes (the write policies, then the
/// repository's write with its events, then the blob index), for extensions that delete on the registry's
/// behalf (retention). Put an <see cref="Events.EventOrigin"/> naming the actor and the reason in the request
/// context first: the events, and so the audit log and webhooks, carry them.
/// </summary>
public interface IManifestDeletes
{
    /// <summary>Deletes one tag; the manifest stays.</summary>
    Task<DeleteResult> DeleteTagAsync(string repository, string tag, CancellationToken cancellationToken);

    /// <summary>Deletes a manifest with every tag that points at it.</summary>
    Task<DeleteResult> DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken);
}

public enum DeleteStatus
{
    Deleted,

    /// <summary>There was no such tag or manifest (any more).</summary>
    Missing,

    /// <summary>A write policy refused it (an immutable tag): <see cref="DeleteResult.Refusal"/> says why.</summary>
    Refused,
}

public sealed record DeleteResult(DeleteStatus Status, string? Refusal = null)
{
    public static readonly DeleteResult Deleted = new(DeleteStatus.Deleted);
    public static readonly DeleteResult Missing = new(DeleteStatus.Missing);
}
