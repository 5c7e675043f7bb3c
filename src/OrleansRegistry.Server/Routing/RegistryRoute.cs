namespace OrleansRegistry.Server.Routing;

/// <summary>Which part of the OCI API a <c>/v2/...</c> path addresses.</summary>
public enum RouteKind
{
    Base,
    Catalog,
    Tags,
    Manifest,
    Blob,
    UploadStart,
    Upload,
    Referrers,
}

/// <summary>
/// A parsed <c>/v2/</c> path. Repository names contain slashes, so ASP.NET route templates
/// cannot express the API (a catch-all must be the last segment): the path is matched from
/// its end instead, the way the spec's endpoint table reads.
/// </summary>
public readonly record struct RegistryRoute(RouteKind Kind, string Name, string Argument)
{
    /// <summary>Parses the part of the path after <c>/v2/</c>.</summary>
    public static bool TryParse(string path, string method, out RegistryRoute route)
    {
        route = default;
        if (path.Length == 0)
        {
            route = new RegistryRoute(RouteKind.Base, "", "");
            return true;
        }

        if (path == "_catalog")
        {
            route = new RegistryRoute(RouteKind.Catalog, "", "");
            return true;
        }

        if (TrySplit(path, "/tags/list", out var name) && name.Length > 0)
        {
            route = new RegistryRoute(RouteKind.Tags, name, "");
            return true;
        }

        if (path.EndsWith("/blobs/uploads/", StringComparison.Ordinal) || path.EndsWith("/blobs/uploads", StringComparison.Ordinal))
        {
            // "<name>/blobs/uploads" is also a blob GET of digest "uploads" in spirit; POST decides.
            if (method == HttpMethods.Post)
            {
                route = new RegistryRoute(RouteKind.UploadStart, path[..path.LastIndexOf("/blobs/uploads", StringComparison.Ordinal)], "");
                return true;
            }
        }

        var lastSlash = path.LastIndexOf('/');
        if (lastSlash <= 0)
        {
            return false;
        }

        var argument = path[(lastSlash + 1)..];
        var rest = path[..lastSlash];
        if (TrySplit(rest, "/blobs/uploads", out name))
        {
            route = new RegistryRoute(RouteKind.Upload, name, argument);
            return true;
        }

        var kind = LastSegment(rest, out name) switch
        {
            "manifests" => RouteKind.Manifest,
            "blobs" => RouteKind.Blob,
            "referrers" => RouteKind.Referrers,
            _ => (RouteKind?)null,
        };
        if (kind is null || name.Length == 0 || argument.Length == 0)
        {
            return false;
        }

        route = new RegistryRoute(kind.Value, name, argument);
        return true;
    }

    private static bool TrySplit(string path, string suffix, out string name)
    {
        name = "";
        if (!path.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }

        name = path[..^suffix.Length];
        return true;
    }

    private static string LastSegment(string path, out string before)
    {
        var slash = path.LastIndexOf('/');
        before = slash < 0 ? "" : path[..slash];
        return slash < 0 ? path : path[(slash + 1)..];
    }
}
