using Microsoft.Extensions.Options;
using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;
using OrleansRegistry.Server.Hosting;
using OrleansRegistry.Server.Telemetry;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Maintenance;

/// <summary>
/// Expires upload sessions idle for longer than <see cref="RegistryOptions.UploadIdleTimeout"/>
/// and removes their staged bytes. Works from what storage has staged, so it also finds the
/// leftovers of a silo that died mid-chunk. Any silo may run it; expiry is idempotent.
/// </summary>
public sealed class UploadJanitor(
    IGrainFactory grains, IBlobStore store, IOptions<RegistryOptions> options, TimeProvider clock, ILogger<UploadJanitor> logger,
    RegistryMetrics metrics)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UploadSweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var expired = await SweepAsync(stoppingToken);
                if (expired > 0)
                {
                    logger.LogInformation("expired {Count} idle uploads", expired);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(error, "upload sweep failed; retrying at the next interval");
            }
        }
    }

    /// <summary>One pass: returns how many uploads were expired.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var idle = options.Value.UploadIdleTimeout;
        var cutoff = clock.GetUtcNow() - idle;
        var expired = 0;
        await foreach (var staged in store.ListStagedUploadsAsync(cancellationToken))
        {
            if (staged.LastModified > cutoff)
            {
                continue;
            }

            if (await grains.GetGrain<IUploadSessionGrain>(staged.UploadId).ExpireIfIdle(idle))
            {
                await store.DeleteStagingAsync(staged.UploadId, cancellationToken);
                expired++;
                metrics.UploadEnded(UploadOutcome.Expired);
            }
        }

        return expired;
    }
}
