using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRegistry.Extensions.Policies.Rules;

/// <summary>
/// Keeps this silo's copy of one kind of rules current. At start (after the silo, before Kestrel
/// listens) it applies the configuration's rules and loads the rules, so no write is taken before they
/// are known; a failure stops the start. Then it reads the rules again every
/// <see cref="PolicyOptions.RefreshInterval"/>, one interleaved grain call returning a small immutable
/// snapshot, so a change made through any silo is enforced here within that time.
/// </summary>
/// <param name="kind">What the rules are called in the log: <c>immutability</c>, <c>quota</c>.</param>
/// <param name="declared">The configuration's rules of this kind.</param>
public sealed class RuleSync<TRule>(
    string kind, INamespaceRuleGrain<TRule> grain, IRuleCopy<TRule> copy, Func<IConfiguration, CancellationToken, Task<TRule[]>> declared,
    IConfiguration configuration, IOptions<PolicyOptions> options, TimeProvider clock, ILogger logger) : IHostedService
    where TRule : INamespaceRule<TRule>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _refreshing = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var rules = await declared(configuration, cancellationToken);
        if (rules.Length > 0)
        {
            copy.Adopt(await grain.ApplyConfiguration(rules));
            logger.LogInformation("{Kind} rules of the configuration applied: {Namespaces}", kind, string.Join(", ", rules.Select(r => r.Pattern)));
        }
        else
        {
            copy.Adopt(await grain.GetSnapshot());
        }

        _refreshing = RefreshAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _refreshing;
        _stopping.Dispose();
    }

    private async Task RefreshAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    copy.Adopt(await grain.GetSnapshot());
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // The rules held stay in force until a read succeeds.
                    logger.LogWarning(error, "{Kind} rules not read; keeping version {Version}", kind, copy.Snapshot.Version);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
