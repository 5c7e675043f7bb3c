namespace OrleansRegistry.Storage;

/// <summary>
/// An optional capability of an <see cref="IBlobStore"/>: a URL the client can read stored content
/// from directly, without its bytes passing through the registry (Azure: a read-only SAS URL of the
/// one blob). The server answers a blob GET with a 307 to it when redirects are enabled. The URL is
/// a bearer credential until it expires: it must never be logged or put in an exception message.
/// </summary>
public interface IBlobRedirects
{
    /// <summary>
    /// A URL that reads the content at <paramref name="location"/> for <paramref name="lifetime"/>
    /// from now, or null when this store cannot sign one with its credential (then the content is
    /// streamed). Whether the content still exists is not checked: the location comes from a blob
    /// the registry knows, and a URL of vanished content answers 404 at the storage service.
    /// </summary>
    ValueTask<Uri?> GetReadUrlAsync(BlobLocation location, TimeSpan lifetime, CancellationToken cancellationToken);
}
