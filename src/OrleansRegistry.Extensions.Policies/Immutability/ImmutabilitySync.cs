using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansRegistry.Extensions.Policies.Immutability;

/// <summary>
/// Keeps this silo's <see cref="ImmutabilityPolicy"/> current. At start (after the silo, before
/// Kestrel listens) it applies the configuration's rules and loads the rules, so no write is taken
/// before they are known; a failure stops the start. Then it reads the rules again every
/// <see cref="PolicyOptions.RefreshInterval"/>, one interleaved grain call returning a small
/// immutable snapshot, so a change made through any silo is enforced here within that time.
/// </summary>
public sealed class ImmutabilitySync(
    IConfiguration configuration, IGrainFactory grains, ImmutabilityPolicy policy, IOptions<PolicyOptions> options, TimeProvider clock,
    ILogger<ImmutabilitySync> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _refreshing = Task.CompletedTask;

    private IImmutabilityGrain Rules => grains.GetGrain<IImmutabilityGrain>(IImmutabilityGrain.Key);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var declared = await ImmutabilityDeclarations.ReadAsync(configuration, cancellationToken);
        if (declared.Length > 0)
        {
            policy.Adopt(await Rules.ApplyConfiguration(declared));
            logger.LogInformation("immutability rules of the configuration applied: {Namespaces}", string.Join(", ", declared.Select(r => r.Pattern)));
        }
        else
        {
            policy.Adopt(await Rules.GetSnapshot());
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
                    policy.Adopt(await Rules.GetSnapshot());
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // The rules held stay in force until a read succeeds.
                    logger.LogWarning(error, "immutability rules not read; keeping version {Version}", policy.Snapshot.Version);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
