namespace OrleansRegistry.Server.Routing;

/// <summary>A request of the OCI API: the repository name and the path's last argument (reference, digest or upload id).</summary>
public sealed record RegistryRequest(HttpContext Context, string Name, string Argument)
{
    public HttpRequest Request => Context.Request;

    public HttpResponse Response => Context.Response;

    public CancellationToken Aborted => Context.RequestAborted;

    public bool IsHead => HttpMethods.IsHead(Request.Method);

    public string? Query(string key) => Request.Query.TryGetValue(key, out var values) ? values.ToString() : null;
}
