namespace OrleansRegistry.Server.Http;

/// <summary>
/// The one <c>If-None-Match</c> rule for blobs and manifests (RFC 9110 §13.1.2): the request's list
/// names the entity tag (weakly compared: <c>W/</c> is ignored) or is <c>*</c>; then a GET or HEAD
/// answers 304. Entity tags here are the quoted digest.
/// </summary>
public static class IfNoneMatch
{
    public static bool Matches(HttpRequest request, string entityTag)
    {
        foreach (var header in request.Headers.IfNoneMatch)
        {
            foreach (var item in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var tag = item.StartsWith("W/", StringComparison.Ordinal) ? item[2..] : item;
                if (tag == "*" || tag.Equals(entityTag, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
