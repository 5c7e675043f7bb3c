using OrleansRegistry.Contracts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using OrleansRegistry.Grains.Cluster;
using OrleansRegistry.Contracts.Cluster;
using OrleansRegistry.Server.Hosting;

namespace OrleansRegistry.Server.Cluster;

/// <summary>
/// Publishes this silo's HTTP URL in the silo directory once Kestrel listens, refreshes it (the
/// directory may have lost it, say after a restore), and withdraws it when the silo stops.
/// </summary>
public sealed class SiloUrlPublisher(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<RegistryOptions> options,
    ILogger<SiloUrlPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await WaitForStartAsync(stoppingToken))
        {
            return;
        }

        var url = PublicUrl();
        var key = silo.SiloAddress.ToParsableString();
        var directory = grains.GetGrain<ISiloDirectoryGrain>(GrainKeys.SiloDirectory);
        lifetime.ApplicationStopping.Register(() => Withdraw(directory, key));
        logger.LogInformation("publishing this silo's HTTP URL {Url}", url);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await directory.Register(key, url);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(error, "could not publish this silo's URL; retrying");
            }

            try
            {
                await Task.Delay(Refresh, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Withdraw(ISiloDirectoryGrain directory, string key)
    {
        // First thing of a drain: the edge stops routing here while requests in flight finish.
        try
        {
            directory.Unregister(key).Wait(TimeSpan.FromSeconds(5));
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "could not withdraw this silo's URL");
        }
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    private string PublicUrl()
    {
        var configured = options.Value.Silo.PublicUrl;
        if (configured is not null)
        {
            return configured.ToString().TrimEnd('/');
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel has no address to publish");
        var uri = new UriBuilder(address);
        if (uri.Host is "0.0.0.0" or "[::]" or "+" or "*" or "localhost")
        {
            uri.Host = silo.SiloAddress.Endpoint.Address.ToString();
        }

        return uri.Uri.ToString().TrimEnd('/');
    }
}
