using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OrleansRegistry.Contracts.Extensions;

/// <summary>
/// Takes a catch-all route value only when it ends with <paramref name="suffix"/> after something non-empty.
/// Names with slashes (namespace patterns, repositories) can only be a catch-all, which must be a
/// route's last segment: an API path after the name is matched as the catch-all's end instead.
/// </summary>
public sealed class PathEndsWithConstraint(string suffix) : IRouteConstraint
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value?.ToString() is { } text
        && text.Length > suffix.Length && text.EndsWith(suffix, StringComparison.Ordinal);

    /// <summary>The route value without the suffix (the constraint matched, so it has one).</summary>
    public string Before(HttpContext context, string routeKey) => (context.Request.RouteValues[routeKey]?.ToString() ?? suffix)[..^suffix.Length];
}
