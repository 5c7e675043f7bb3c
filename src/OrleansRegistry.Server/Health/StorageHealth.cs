using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using OrleansRegistry.Server.Telemetry;

namespace OrleansRegistry.Server.Health;

/// <summary>The stores the storage probe checks.</summary>
public enum ProbedStore
{
    /// <summary>The blob store (<c>IBlobStore</c>: filesystem or Azure Blob).</summary>
    Blob,

    /// <summary>The grain storage provider (files or Azure Blob).</summary>
    Grain,
}

/// <summary>One store's result as last probed.</summary>
public sealed record StoreHealth(
    bool Healthy,
    DateTimeOffset LastProbe,
    DateTimeOffset? LastSuccess,
    double LatencySeconds,
    string? Error);

/// <summary>
/// What the storage probe (<see cref="StorageHealthProbe"/>) found last, per store; exported as
/// <c>registry_storage_healthy{store}</c> (1 or 0) and <c>registry_storage_probe_duration_seconds{store}</c>,
/// and shown by <c>/healthz/storage</c>. Deliberately not part of readiness: a storage blip would
/// otherwise take every silo out of service at the same moment.
/// </summary>
public sealed partial class StorageHealth
{
    private const int MaxErrorLength = 300;

    private readonly Lock _lock = new();
    private readonly Dictionary<ProbedStore, StoreHealth> _stores = [];

    public StorageHealth(IMeterFactory meterFactory)
    {
        // The registry's meter (the factory hands out the one RegistryMetrics uses): exported under registry_*.
        var meter = meterFactory.Create(RegistryMetrics.MeterName);
        meter.CreateObservableGauge("registry.storage.healthy", () => Observe(s => s.Healthy ? 1 : 0), unit: null,
            description: "1 when the last storage probe of the store (blob, grain) succeeded, 0 when it failed; absent before the first probe.");
        meter.CreateObservableGauge("registry.storage.probe.duration", () => Observe(s => s.LatencySeconds), unit: "s",
            description: "Latency of the last storage probe of the store (blob, grain), failed or not.");
    }

    /// <summary>The stores probed so far and their last result.</summary>
    public IReadOnlyDictionary<ProbedStore, StoreHealth> Snapshot()
    {
        lock (_lock)
        {
            return new Dictionary<ProbedStore, StoreHealth>(_stores);
        }
    }

    public void Succeeded(ProbedStore store, DateTimeOffset at, TimeSpan latency)
    {
        lock (_lock)
        {
            _stores[store] = new StoreHealth(true, at, at, latency.TotalSeconds, null);
        }
    }

    public void Failed(ProbedStore store, DateTimeOffset at, TimeSpan latency, Exception error)
    {
        lock (_lock)
        {
            var lastSuccess = _stores.TryGetValue(store, out var previous) ? previous.LastSuccess : null;
            _stores[store] = new StoreHealth(false, at, lastSuccess, latency.TotalSeconds, Describe(error));
        }
    }

    public static string Name(ProbedStore store) => store == ProbedStore.Blob ? "blob" : "grain";

    /// <summary>
    /// A one-line description of a probe failure that is safe to show: the exception type and the first
    /// line of its message, with anything that looks like a credential (SAS signature, account key,
    /// password, token) masked, and at most <see cref="MaxErrorLength"/> characters.
    /// </summary>
    public static string Describe(Exception error)
    {
        // Orleans wraps what a grain threw only when it cannot send it; the storage's own exception is more telling.
        while (error is AggregateException { InnerException: { } inner })
        {
            error = inner;
        }

        var message = error.Message;
        var newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            message = message[..newline];
        }

        message = Secret().Replace(message, match => $"{match.Groups[1].Value}=***");
        var text = $"{error.GetType().Name}: {message}";
        return text.Length > MaxErrorLength ? text[..MaxErrorLength] + "…" : text;
    }

    [GeneratedRegex(@"\b(sig|AccountKey|SharedAccessSignature|SharedAccessKey|password|pwd|token|secret|key)=[^;&\s'""]*", RegexOptions.IgnoreCase)]
    private static partial Regex Secret();

    private IEnumerable<Measurement<T>> Observe<T>(Func<StoreHealth, T> value)
        where T : struct
    {
        foreach (var (store, health) in Snapshot())
        {
            yield return new Measurement<T>(value(health), new KeyValuePair<string, object?>("store", Name(store)));
        }
    }
}
