using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Core.Errors;

namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>
/// <c>PUT /api/v1/namespaces/{pattern}/&lt;suffix&gt;</c> (create or replace; answers the stored rule, 201 or
/// 200), <c>GET</c> and <c>DELETE</c> (204) of the same path, for one kind of rule. The pattern has
/// slashes (<c>team/*</c>), so the route is the namespaces' catch-all with a constraint on its end,
/// ordered before the auth admin's own <c>/namespaces/{**pattern}</c>.
/// </summary>
/// <typeparam name="TBody">The PUT's JSON body.</typeparam>
public abstract class NamespaceRuleEndpoints<TRule, TBody>(string suffix, INamespaceRuleGrain<TRule> grain, IRuleCopy<TRule> copy)
    where TRule : INamespaceRule<TRule>
    where TBody : class
{
    private readonly string _suffix = "/" + suffix;
    private readonly PathEndsWithConstraint _target = new("/" + suffix);

    public virtual void Map(IEndpointRouteBuilder api)
    {
        var route = Route(_target);
        api.Map(route, PutAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Put])).WithOrder(-1);
        api.Map(route, GetAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Get])).WithOrder(-1);
        api.Map(route, DeleteAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Delete])).WithOrder(-1);
    }

    /// <summary><c>/namespaces/{**target}</c>, taken only when the path ends as <paramref name="target"/> says.</summary>
    protected static RoutePattern Route(PathEndsWithConstraint target) =>
        RoutePatternFactory.Parse("/namespaces/{**target}", defaults: null, parameterPolicies: new RouteValueDictionary { ["target"] = target });

    /// <summary>The namespace pattern of a path that <paramref name="target"/> matched; a 400 when it is not one.</summary>
    protected static string Pattern(HttpContext context, PathEndsWithConstraint target) => RuleInput.RequirePattern(target.Before(context, "target"));

    /// <summary>The rule a PUT's body declares for <paramref name="pattern"/>; throws <see cref="AdminRequests.BadRequest"/> when it is wrong.</summary>
    protected abstract TRule Validate(string pattern, TBody body);

    /// <summary>The JSON that PUT and GET answer for a rule.</summary>
    protected abstract Task<object> DescribeAsync(TRule rule);

    /// <summary>After a rule was stored and adopted by this silo.</summary>
    protected virtual Task StoredAsync(TRule rule) => Task.CompletedTask;

    /// <summary>After the rule of <paramref name="pattern"/> was deleted and the deletion adopted by this silo.</summary>
    protected virtual Task DeletedAsync(string pattern) => Task.CompletedTask;

    private async Task PutAsync(HttpContext context)
    {
        var pattern = Pattern(context);
        var rule = Validate(pattern, (await AdminRequests.ReadJsonAsync<TBody>(context))!);
        var change = await grain.Put(rule);
        copy.Adopt(change.Snapshot);
        await StoredAsync(rule);
        await Results.Json(await DescribeAsync(rule), statusCode: change.Existed ? StatusCodes.Status200OK : StatusCodes.Status201Created).ExecuteAsync(context);
    }

    private async Task GetAsync(HttpContext context)
    {
        var pattern = Pattern(context);
        var rule = (await grain.GetSnapshot()).Of(pattern) ?? throw NotFound(pattern);
        await Results.Json(await DescribeAsync(rule)).ExecuteAsync(context);
    }

    private async Task DeleteAsync(HttpContext context)
    {
        var pattern = Pattern(context);
        var change = await grain.Delete(pattern);
        if (!change.Existed)
        {
            throw NotFound(pattern);
        }

        copy.Adopt(change.Snapshot);
        await DeletedAsync(pattern);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private string Pattern(HttpContext context) => Pattern(context, _target);

    protected OciException NotFound(string pattern) =>
        new(OciErrorCode.NameUnknown, $"no {_suffix[1..]} rule for '{RuleInput.Shorten(pattern)}'", statusCode: StatusCodes.Status404NotFound);
}
