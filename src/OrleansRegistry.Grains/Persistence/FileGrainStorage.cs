using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using OrleansRegistry.Storage.FileSystem;

namespace OrleansRegistry.Grains.Persistence;

/// <summary>
/// Grain storage keeping one file per (grain id, state name) below
/// <see cref="FileGrainStorageOptions.RootPath"/>, for the registry's single-process embedded mode.
/// </summary>
/// <remarks>
/// <para>
/// Writes are atomic and durable: the new contents go to a temporary file in the same directory,
/// which is fsync'ed, renamed over the target and followed by an fsync of the directory. A crash
/// leaves either the old or the new state (plus possibly a stray <c>.*.tmp</c> file, which is
/// never read).
/// </para>
/// <para>
/// Every file carries an etag, replaced by a new random one on each write. Writes and clears
/// compare the caller's <see cref="IGrainState{T}.ETag"/> with the stored one (no file means a
/// <see langword="null"/> etag) and throw <see cref="InconsistentStateException"/> on a mismatch,
/// so a stale or duplicate activation cannot overwrite newer state. Writes to one file are
/// serialized process-wide, which makes the compare-and-rename atomic within the process; other
/// processes must be kept out of the directory (see <see cref="DataDirectoryLock"/>).
/// </para>
/// <para>
/// Grains may also resolve this provider as a keyed <see cref="IGrainStorage"/> and call it
/// directly with any number of state names.
/// </para>
/// </remarks>
public sealed class FileGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    // Process-wide, so that two providers (or two instances) on the same directory still
    // serialize writes to the same file.
    private static readonly SemaphoreSlim[] Stripes = CreateStripes(256);

    private readonly string _name;
    private readonly string _rootPath;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activatorProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the provider.</summary>
    /// <param name="name">The provider name, for messages.</param>
    /// <param name="options">The options; <see cref="FileGrainStorageOptions.RootPath"/> is required.</param>
    /// <param name="serializer">Serializer of the state payloads.</param>
    /// <param name="activatorProvider">Creates empty state instances for missing or cleared records.</param>
    /// <param name="logger">Optional logger.</param>
    public FileGrainStorage(
        string name,
        FileGrainStorageOptions options,
        IGrainStorageSerializer serializer,
        IActivatorProvider activatorProvider,
        ILogger<FileGrainStorage>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activatorProvider);
        if (string.IsNullOrWhiteSpace(options.RootPath))
        {
            throw new ArgumentException(
                $"{nameof(FileGrainStorageOptions)}.{nameof(FileGrainStorageOptions.RootPath)} is required (file grain storage '{name}')",
                nameof(options));
        }

        _name = name;
        _rootPath = Path.GetFullPath(options.RootPath);
        _serializer = serializer;
        _activatorProvider = activatorProvider;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The provider name.</summary>
    public string Name => _name;

    /// <summary>The absolute root directory.</summary>
    public string RootPath => _rootPath;

    /// <summary>The absolute path of the file holding the given state (whether or not it exists).</summary>
    public string GetFilePath(string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        return Path.Combine(_rootPath, StateFileNames.TypeDirectoryName(grainId.Type), StateFileNames.FileName(grainId, stateName));
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetFilePath(stateName, grainId);
        var contents = await StateFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (contents is not { } file)
        {
            grainState.State = CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        T? state;
        try
        {
            state = _serializer.Deserialize<T>(file.Payload);
        }
        catch (Exception e)
        {
            throw new InvalidDataException(
                $"file grain storage '{_name}': cannot deserialize state '{stateName}' of {grainId} from '{path}' as {typeof(T)}", e);
        }

        grainState.State = state ?? CreateInstance<T>();
        grainState.ETag = file.ETag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetFilePath(stateName, grainId);
        var directory = Path.GetDirectoryName(path)!;

        // Serialize before taking the lock: it may be expensive and needs no exclusivity.
        var payload = _serializer.Serialize(grainState.State);
        var newETag = Guid.NewGuid().ToString("N");
        var bytes = StateFile.Encode(newETag, $"{grainId}\n{stateName}", payload.ToMemory().Span);

        var stripe = StripeFor(path);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CheckETag(StateFile.ReadETag(path), grainState.ETag, stateName, grainId, "write");
            EnsureDirectory(directory);

            var tempPath = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{StateFileNames.TempExtension}");
            try
            {
                await using (var stream = new FileStream(
                    tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
                {
                    await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(tempPath, path, overwrite: true);
            }
            catch
            {
                TryDelete(tempPath);
                throw;
            }

            // The rename is done: the file now carries the new etag, so the caller's state must
            // too, even if making the rename durable below fails (a retry then succeeds).
            grainState.ETag = newETag;
            grainState.RecordExists = true;
            DirectorySync.Flush(directory);
        }
        finally
        {
            stripe.Release();
        }

        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.LogTrace("Wrote state {StateName} of {GrainId} to {Path} ({Bytes} bytes)", stateName, grainId, path, bytes.Length);
        }
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetFilePath(stateName, grainId);

        var stripe = StripeFor(path);
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var storedETag = StateFile.ReadETag(path);
            CheckETag(storedETag, grainState.ETag, stateName, grainId, "clear");
            if (storedETag is not null)
            {
                File.Delete(path);
                DirectorySync.Flush(Path.GetDirectoryName(path)!);
            }
        }
        finally
        {
            stripe.Release();
        }

        grainState.State = CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Creates the root directory when the silo starts, so a bad path fails early.</summary>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(
            $"{nameof(FileGrainStorage)}-{_name}",
            ServiceLifecycleStage.ApplicationServices,
            _ =>
            {
                EnsureDirectory(_rootPath);
                return Task.CompletedTask;
            });
    }

    private void CheckETag(string? stored, string? expected, string stateName, GrainId grainId, string operation)
    {
        if (!string.Equals(stored, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException(
                $"file grain storage '{_name}': {operation} of state '{stateName}' of {grainId} with etag '{expected ?? "<none>"}'"
                + $" but the stored etag is '{stored ?? "<none>"}' (another activation wrote it)",
                stored ?? "",
                expected ?? "");
        }
    }

    private T CreateInstance<T>() => _activatorProvider.GetActivator<T>().Create();

    private static void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        // Create it and make each new entry durable in its parent, bottom-up.
        var missing = new Stack<string>();
        for (var current = directory; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        Directory.CreateDirectory(directory);
        while (missing.TryPop(out var created))
        {
            if (Path.GetDirectoryName(created) is { } parent)
            {
                DirectorySync.Flush(parent);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static SemaphoreSlim StripeFor(string path) =>
        Stripes[(uint)StringComparer.Ordinal.GetHashCode(path) % (uint)Stripes.Length];

    private static SemaphoreSlim[] CreateStripes(int count)
    {
        var stripes = new SemaphoreSlim[count];
        for (var i = 0; i < count; i++)
        {
            stripes[i] = new SemaphoreSlim(1, 1);
        }

        return stripes;
    }
}
