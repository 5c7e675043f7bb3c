using Microsoft.Extensions.Logging;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Extensions.Policies.Rules;

namespace OrleansRegistry.Extensions.Policies.Quotas;

/// <summary>
/// Holds one quota's <see cref="QuotaUsage"/>. Not persisted: the repositories are the truth, and a
/// count from them (at activation, on a quota's PUT) repairs whatever an activation that ended lost.
/// Kept alive while the quota exists, so the count is paid once per silo failure, not per idle period.
/// Calls do not interleave: a check and its reservation are one step, and a release's confirmation
/// (one interleaved read of the repository) cannot race a push's reservation of the same manifest.
/// </summary>
[KeepAlive]
public sealed class QuotaUsageGrain(ILogger<QuotaUsageGrain> logger) : Grain, IQuotaUsageGrain
{
    private QuotaUsage _usage = new();

    private string Pattern => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => _usage = await CountAsync(_usage, cancellationToken);

    public async Task<QuotaReservation> Reserve(string repository, string digest, long manifestSize, string[] blobs, long limit)
    {
        var unknown = blobs.Distinct(StringComparer.Ordinal).Where(b => _usage.SizeOf(b) is null).ToArray();
        var linked = unknown.Length == 0 ? [] : await Repository(repository).BlobSizes(unknown);
        var sizes = unknown.Zip(linked).ToDictionary(e => e.First, e => e.Second ?? 0, StringComparer.Ordinal);
        ContentSize[] footprint = [new(digest, manifestSize), .. blobs.Select(b => new ContentSize(b, _usage.SizeOf(b) ?? sizes[b]))];
        return _usage.Reserve(QuotaUsage.Key(repository, digest), footprint, limit);
    }

    public Task Settle(string repository, string digest, bool stored)
    {
        _usage.Settle(QuotaUsage.Key(repository, digest), stored);
        return Task.CompletedTask;
    }

    public async Task Release(string repository, string digest)
    {
        var key = QuotaUsage.Key(repository, digest);
        if (_usage.Release(key) == ReleaseStep.ConfirmGone && !await Repository(repository).HasManifest(digest))
        {
            _usage.Remove(key);
        }
    }

    public Task<long> Used() => Task.FromResult(_usage.Used);

    public async Task<long> Recount()
    {
        _usage = await CountAsync(_usage, CancellationToken.None);
        return _usage.Used;
    }

    public Task Forget()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>Every manifest of every repository under the pattern.</summary>
    private async Task<QuotaUsage> CountAsync(QuotaUsage current, CancellationToken cancellationToken)
    {
        var stored = new List<(string, ContentSize[])>();
        var repositories = 0;
        await foreach (var repository in NamespaceRepositories.ListAsync(GrainFactory, Pattern, cancellationToken))
        {
            repositories++;
            foreach (var manifest in await Repository(repository).Footprints())
            {
                stored.Add((QuotaUsage.Key(repository, manifest.Digest), manifest.Content));
            }
        }

        var counted = current.Recounted(stored);
        logger.LogInformation("quota {Pattern}: {Used} bytes in {Manifests} manifests of {Repositories} repositories", Pattern, counted.Used, counted.Manifests,
            repositories);
        return counted;
    }

    private IRepositoryGrain Repository(string name) => GrainFactory.GetGrain<IRepositoryGrain>(name);
}
