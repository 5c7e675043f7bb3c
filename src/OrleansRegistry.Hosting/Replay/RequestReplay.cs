using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansRegistry.Hosting.Replay;

/// <summary>
/// Which requests may be sent or run a second time after a first attempt of unknown outcome (a silo
/// that died under it): those without a body, which is read once and gone, except a DELETE, whose
/// second run could answer 404 for what the first did. What is left is idempotent in a registry
/// (reads, an upload's final PUT, a mount) or harmless twice (starting an upload opens a second,
/// unused session, which expires).
/// </summary>
public static class RequestReplay
{
    public static bool CanRunAgain(HttpContext context) =>
        !HttpMethods.IsDelete(context.Request.Method)
        && (HttpMethods.IsGet(context.Request.Method)
            || HttpMethods.IsHead(context.Request.Method)
            || context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false });
}
