using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansRegistry.Contracts.Extensions;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Retention;

/// <summary>
/// <c>PUT /api/v1/namespaces/{pattern}/retention</c> (the keep rules, <see cref="RetentionEntry"/>), <c>GET</c> (the rule,
/// whether it runs now and its last runs) and <c>DELETE</c>; <c>POST .../retention/run</c> <c>{"dryRun": true}</c> runs it
/// now and answers the run (a dry run deletes nothing and lists what would go). The run's path ends in
/// <c>/retention/run</c>, not <c>/retention</c>, so the two routes never take each other's requests.
/// </summary>
public sealed class RetentionEndpoints(IGrainFactory grains, RetentionPolicy policy)
    : NamespaceRuleEndpoints<RetentionRule, RetentionEntry>("retention", grains.GetGrain<IRetentionGrain>(IRetentionGrain.Key), policy)
{
    private readonly PathEndsWithConstraint _run = new("/retention/run");

    public override void Map(IEndpointRouteBuilder api)
    {
        base.Map(api);
        api.Map(Route(_run), RunAsync).WithMetadata(new HttpMethodMetadata([HttpMethods.Post])).WithOrder(-1);
    }

    protected override RetentionRule Validate(string pattern, RetentionEntry body) =>
        string.IsNullOrEmpty(body.Namespace)
            ? RetentionRuleInput.Validate(pattern, body, RuleSources.Api)
            : throw AdminRequests.BadRequest("the path names the namespace: leave \"namespace\" out of the body");

    protected override async Task<object> DescribeAsync(RetentionRule rule)
    {
        var status = await Runner(rule.Pattern).Status();
        return new
        {
            @namespace = rule.Pattern,
            keepLastPushed = rule.KeepLastPushed,
            keepPushedWithinDays = rule.KeepPushedWithinDays,
            keepPulledWithinDays = rule.KeepPulledWithinDays,
            keepTags = rule.KeepTags,
            removeUntagged = rule.RemoveUntagged,
            schedule = rule.Schedule.ToString("c"),
            source = rule.Source,
            running = status.Running,
            runs = status.Runs,
        };
    }

    protected override Task DeletedAsync(string pattern) => Runner(pattern).Forget();

    private async Task RunAsync(HttpContext context)
    {
        var pattern = Pattern(context, _run);
        var body = await AdminRequests.ReadJsonAsync<RunBody>(context, required: false);
        var run = await Runner(pattern).Run(body?.DryRun ?? false) ?? throw NotFound(pattern);
        await Results.Json(run).ExecuteAsync(context);
    }

    private IRetentionRunnerGrain Runner(string pattern) => grains.GetGrain<IRetentionRunnerGrain>(pattern);

    private sealed record RunBody(bool DryRun);
}
