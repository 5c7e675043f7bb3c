using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Grains.Health;
using OrleansRegistry.Contracts.Health;
using OrleansRegistry.Storage;

namespace OrleansRegistry.Server.Health;

/// <summary>
/// Probes this silo's storage every <see cref="StorageHealthOptions.StorageProbeInterval"/>, once the
/// host has started, and records the results in <see cref="StorageHealth"/>:
/// <list type="bullet">
/// <item>blob: stores a tiny probe blob (unique content, so that the filesystem's deduplication cannot
/// skip the write), reads its length back and deletes it;</item>
/// <item>grain: writes, reads back and clears the state of this silo's <see cref="IStorageProbeGrain"/>.</item>
/// </list>
/// A failure is logged (as a warning once, then again only when it recovers) and never changes readiness.
/// </summary>
public sealed class StorageHealthProbe(
    IBlobStore blobs,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    StorageHealth health,
    IOptions<StorageHealthOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<StorageHealthProbe> logger) : BackgroundService
{
    private const string ProbeText = "orleans-registry storage health probe";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.StorageProbeInterval;
        if (interval <= TimeSpan.Zero)
        {
            logger.LogInformation("storage probe off (Registry:Health:StorageProbeInterval <= 0)");
            return;
        }

        // The grain probe needs a running silo: start probing once the host (the silo included) has started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            await ProbeAsync(stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Probes both stores once.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        await ProbeAsync(ProbedStore.Blob, ProbeBlobStoreAsync, cancellationToken);
        await ProbeAsync(ProbedStore.Grain, ProbeGrainStorageAsync, cancellationToken);
    }

    private async Task ProbeAsync(ProbedStore store, Func<CancellationToken, Task> probe, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.StorageProbeTimeout);
        var wasHealthy = health.Snapshot().TryGetValue(store, out var previous) ? previous.Healthy : (bool?)null;
        var startedAt = Stopwatch.GetTimestamp();
        var running = probe(timeout.Token);
        try
        {
            await running.WaitAsync(timeout.Token);
            health.Succeeded(store, clock.GetUtcNow(), Stopwatch.GetElapsedTime(startedAt));
            if (wasHealthy == false)
            {
                logger.LogInformation("storage probe: {Store} storage is healthy again", StorageHealth.Name(store));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: keep the last result, but let the probe's own I/O end first (it sees the same
            // token), so that nothing writes into storage once the host has stopped.
            await running.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (Exception error)
        {
            if (error is OperationCanceledException)
            {
                error = new TimeoutException($"the probe took longer than {options.Value.StorageProbeTimeout}");
            }

            health.Failed(store, clock.GetUtcNow(), Stopwatch.GetElapsedTime(startedAt), error);
            if (wasHealthy != false)
            {
                logger.LogWarning("storage probe: {Store} storage failed: {Error}", StorageHealth.Name(store), StorageHealth.Describe(error));
            }
        }
    }

    private async Task ProbeBlobStoreAsync(CancellationToken cancellationToken)
    {
        var content = Encoding.UTF8.GetBytes($"{ProbeText} {silo.SiloAddress} {Guid.NewGuid():N}\n");
        var digest = Digest.Compute(DigestAlgorithm.Sha256, content);
        var location = await blobs.PutAsync(digest, content, cancellationToken);
        try
        {
            var length = await blobs.GetLengthAsync(location, cancellationToken);
            if (length != content.Length)
            {
                throw new InvalidOperationException($"the probe blob reads back as {length?.ToString() ?? "absent"}, not {content.Length} bytes");
            }
        }
        finally
        {
            await blobs.DeleteAsync(location, cancellationToken);
        }
    }

    private Task ProbeGrainStorageAsync(CancellationToken cancellationToken)
    {
        // Keyed by the silo's endpoint (stable across restarts on the same address), placed on this silo.
        var probe = grains.GetGrain<IStorageProbeGrain>(silo.SiloAddress.Endpoint.ToString());
        return probe.Probe(clock.GetUtcNow().ToString("O"));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
