using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansRegistry.Server.RateLimiting;

namespace OrleansRegistry.Server.Telemetry;

/// <summary>What was pushed or pulled: blob bytes or manifest bytes.</summary>
public enum ContentKind
{
    Blob,
    Manifest,
}

/// <summary>
/// How an upload ended. <see cref="Completed"/>, <see cref="DigestInvalid"/>, <see cref="Cancelled"/> and
/// <see cref="Expired"/> end a session; <see cref="TooLarge"/> and <see cref="Failed"/> count refused or
/// broken chunks, after which the client may go on with the session.
/// </summary>
public enum UploadOutcome
{
    /// <summary>The final PUT verified the digest and the blob is stored.</summary>
    Completed,

    /// <summary>The bytes did not match the digest of the final PUT.</summary>
    DigestInvalid,

    /// <summary>The blob grew past <c>Registry:MaxBlobBytes</c>.</summary>
    TooLarge,

    /// <summary>The client cancelled it (DELETE).</summary>
    Cancelled,

    /// <summary>The janitor expired it after <c>Registry:UploadIdleTimeout</c>.</summary>
    Expired,

    /// <summary>A chunk failed for another reason (client went away, storage error).</summary>
    Failed,
}

/// <summary>The caches of the pull path: manifest bytes by (repository, digest); <see cref="Tag"/> is reserved (tags are resolved by the repository grain on every pull).</summary>
public enum RegistryCache
{
    Manifest,
    Tag,
}

/// <summary>
/// The registry's own instruments, on the <see cref="Meter"/> named <see cref="MeterName"/>.
/// The Prometheus exporter names them <c>registry_*</c> (dots become underscores, the unit and
/// <c>_total</c> are appended): the full list is in docs/configuration.md and docs/operations.md.
/// One instance per host, created through <see cref="IMeterFactory"/> so that tests running several
/// servers in one process do not share instruments by accident.
/// </summary>
public sealed class RegistryMetrics
{
    public const string MeterName = "OrleansRegistry";

    private readonly Counter<long> _bytesPushed;
    private readonly Counter<long> _bytesPulled;
    private readonly UpDownCounter<long> _uploadsInProgress;
    private readonly Counter<long> _uploadOutcomes;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Histogram<double> _storageDuration;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _blobRedirects;
    private readonly Counter<long> _rateLimited;

    public RegistryMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _bytesPushed = meter.CreateCounter<long>("registry.pushed", "By",
            "Bytes received and committed to storage, by kind (blob chunks, manifests).");
        _bytesPulled = meter.CreateCounter<long>("registry.pulled", "By",
            "Bytes sent to clients from storage, by kind (blobs, manifests).");
        _uploadsInProgress = meter.CreateUpDownCounter<long>("registry.uploads.in_progress", "{request}",
            "Upload requests (POST, PATCH or PUT with a body) streaming into storage on this silo right now.");
        _uploadOutcomes = meter.CreateCounter<long>("registry.upload.outcomes", "{upload}",
            "Upload sessions that ended, by outcome (completed, digest_invalid, too_large, cancelled, expired, failed).");
        _cacheHits = meter.CreateCounter<long>("registry.cache.hits", "{lookup}",
            "Lookups answered from the manifest or tag cache, by cache.");
        _cacheMisses = meter.CreateCounter<long>("registry.cache.misses", "{lookup}",
            "Lookups the manifest or tag cache could not answer, by cache.");
        _storageDuration = meter.CreateHistogram<double>("registry.storage.operation.duration", "s",
            "Latency of blob storage operations, by provider, operation and outcome.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            });
        _authFailures = meter.CreateCounter<long>("registry.auth.failures", "{request}",
            "Requests refused by authentication or authorization, by reason.");
        _blobRedirects = meter.CreateCounter<long>("registry.blob.redirects", "{request}",
            "Blob GETs answered with a 307 to a storage URL instead of streaming the bytes.");
        _rateLimited = meter.CreateCounter<long>("registry.rate_limited", "{request}",
            "Requests refused with 429 by the rate limits of this silo, by kind (identified, anonymous, token, failed_login).");
    }

    public void BytesPushed(ContentKind kind, long bytes)
    {
        if (bytes > 0)
        {
            _bytesPushed.Add(bytes, new KeyValuePair<string, object?>("kind", Name(kind)));
        }
    }

    public void BytesPulled(ContentKind kind, long bytes)
    {
        if (bytes > 0)
        {
            _bytesPulled.Add(bytes, new KeyValuePair<string, object?>("kind", Name(kind)));
        }
    }

    /// <summary>A blob GET answered with a redirect to storage (its bytes are not counted as pulled).</summary>
    public void BlobRedirected() => _blobRedirects.Add(1);

    /// <summary>Counts an upload request as streaming until the returned scope is disposed.</summary>
    public UploadInProgress UploadStarted()
    {
        _uploadsInProgress.Add(1);
        return new UploadInProgress(_uploadsInProgress);
    }

    public void UploadEnded(UploadOutcome outcome) =>
        _uploadOutcomes.Add(1, new KeyValuePair<string, object?>("outcome", Name(outcome)));

    /// <summary>The API of the pull-path caches: one call per lookup.</summary>
    public void CacheLookup(RegistryCache cache, bool hit) =>
        (hit ? _cacheHits : _cacheMisses).Add(1, new KeyValuePair<string, object?>("cache", Name(cache)));

    public void CacheHit(RegistryCache cache) => CacheLookup(cache, hit: true);

    public void CacheMiss(RegistryCache cache) => CacheLookup(cache, hit: false);

    /// <summary>The API of authentication (to come): one call per refused request, with a short reason such as <c>invalid_token</c>.</summary>
    public void AuthFailure(string reason) =>
        _authFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>One request refused by a rate limit.</summary>
    public void RateLimited(RateLimitKind kind) =>
        _rateLimited.Add(1, new KeyValuePair<string, object?>("kind", Name(kind)));

    public void StorageOperation(string provider, string operation, TimeSpan elapsed, bool succeeded)
    {
        var tags = new TagList
        {
            { "provider", provider },
            { "operation", operation },
            { "outcome", succeeded ? "success" : "error" },
        };
        _storageDuration.Record(elapsed.TotalSeconds, tags);
    }

    private static string Name(ContentKind kind) => kind switch
    {
        ContentKind.Blob => "blob",
        _ => "manifest",
    };

    private static string Name(RateLimitKind kind) => kind switch
    {
        RateLimitKind.Identified => "identified",
        RateLimitKind.Anonymous => "anonymous",
        RateLimitKind.TokenRequest => "token",
        _ => "failed_login",
    };

    private static string Name(RegistryCache cache) => cache switch
    {
        RegistryCache.Manifest => "manifest",
        _ => "tag",
    };

    private static string Name(UploadOutcome outcome) => outcome switch
    {
        UploadOutcome.Completed => "completed",
        UploadOutcome.DigestInvalid => "digest_invalid",
        UploadOutcome.TooLarge => "too_large",
        UploadOutcome.Cancelled => "cancelled",
        UploadOutcome.Expired => "expired",
        _ => "failed",
    };
}

/// <summary>Ends one in-progress upload request when disposed (once).</summary>
public sealed class UploadInProgress(UpDownCounter<long> counter) : IDisposable
{
    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            counter.Add(-1);
        }
    }
}
