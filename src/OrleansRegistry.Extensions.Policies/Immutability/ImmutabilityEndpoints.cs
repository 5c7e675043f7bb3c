using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>
/// <c>PUT /api/v1/namespaces/{pattern}/immutability</c> <c>{"tags": ["v*", "release-*"]}</c> (create or
/// replace; answers the stored rule), <c>GET</c> and <c>DELETE</c> of the same path. The pattern has
/// slashes (<c>team/*</c>), so the route is the namespaces' catch-all with a constraint on its end,
/// ordered before the auth admin's own <c>/namespaces/{**pattern}</c>.
/// </summary>
public sealed class ImmutabilityEndpoints(IGrainFactory grains, ImmutabilityPolicy policy)
{
    private static readonly PathEndsWithConstraint Target = new("/immutability");

    private IImmutabilityGrain Rules => grains.GetGrain<IImmutabilityGrain>(IImmutabilityGrain.Key);

    public sealed record ImmutabilityBody(string?[]? Tags);

    public void Map(IEndpointRouteBuilder api)
    {
        var route = RoutePatternFactory.Parse("/namespaces/{**target}", defaults: null,
            parameterPolicies: new RouteValueDictionary { ["target"] = Target });
        api.Map(route, PutAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Put])).WithOrder(-1);
        api.Map(route, GetAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Get])).WithOrder(-1);
        api.Map(route, DeleteAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Delete])).WithOrder(-1);
    }

    private async Task PutAsync(HttpContext context)
    {
        ImmutabilityBody body;
        try
        {
            body = await context.Request.ReadFromJsonAsync<ImmutabilityBody>(JsonSerializerOptions.Web, context.RequestAborted)
                ?? throw ImmutabilityRuleInput.BadRequest("a JSON body is required");
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
        {
            throw ImmutabilityRuleInput.BadRequest("a JSON body {\"tags\": [...]} is required");
        }

        var rule = ImmutabilityRuleInput.Validate(Pattern(context), body.Tags, RuleSources.Api);
        var change = await Rules.Put(rule);
        policy.Adopt(change.Snapshot);
        await Results.Json(Describe(rule), statusCode: change.Existed ? StatusCodes.Status200OK : StatusCodes.Status201Created).ExecuteAsync(context);
    }

    private async Task GetAsync(HttpContext context)
    {
        var pattern = Pattern(context);
        var snapshot = await Rules.GetSnapshot();
        var rule = snapshot.Rules.FirstOrDefault(r => r.Pattern == pattern) ?? throw NotFound(pattern);
        await Results.Json(Describe(rule)).ExecuteAsync(context);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var pattern = Pattern(context);
        var change = await Rules.Delete(pattern);
        if (!change.Existed)
        {
            throw NotFound(pattern);
        }

        policy.Adopt(change.Snapshot);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static string Pattern(HttpContext context) => ImmutabilityRuleInput.RequirePattern(Target.Before(context, "target"));

    private static object Describe(ImmutabilityRule rule) => new { @namespace = rule.Pattern, tags = rule.Tags, source = rule.Source };

    private static OciException NotFound(string pattern) =>
        new(OciErrorCode.NameUnknown, $"no immutability rule for '{(pattern.Length > 64 ? pattern[..64] : pattern)}'", statusCode: StatusCodes.Status404NotFound);
}
