using OrleansRegistry.Server.Routing;

namespace OrleansRegistry.Server.Endpoints;

/// <summary><c>GET /v2/</c>: the API version check every client starts with.</summary>
public sealed class BaseEndpoints
{
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    public async Task HandleAsync(RegistryRequest request)
    {
        request.Response.ContentType = "application/json";
        request.Response.ContentLength = EmptyObject.Length;
        if (!request.IsHead)
        {
            await request.Response.Body.WriteAsync(EmptyObject, request.Aborted);
        }
    }
}
