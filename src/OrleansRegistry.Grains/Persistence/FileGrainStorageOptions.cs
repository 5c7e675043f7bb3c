using Orleans.Storage;

namespace OrleansRegistry.Grains.Persistence;

/// <summary>Options of <see cref="FileGrainStorage"/>, configured per named provider.</summary>
public sealed class FileGrainStorageOptions
{
    /// <summary>
    /// Directory under which the state files are kept (required). It is created if missing.
    /// Layout: <c>&lt;RootPath&gt;/&lt;grain type&gt;/&lt;readable key prefix&gt;-&lt;sha256&gt;.state</c>,
    /// one file per (grain id, state name); the file name is derived from a hash of the full
    /// grain id and state name, so any key is safe and names stay below 160 characters.
    /// </summary>
    /// <remarks>
    /// The directory must belong to a single silo process: the provider's etag check and its
    /// per-file write serialization only hold within one process. Take a
    /// <see cref="DataDirectoryLock"/> on it (or a parent) at start-up to enforce that. Use a
    /// local file system; network file systems may not honour rename atomicity or fsync.
    /// Relative paths are resolved against the current directory when the provider is created.
    /// </remarks>
    public string RootPath { get; set; } = "";

    /// <summary>
    /// Serializer of the state payload. When <see langword="null"/> (the default), Orleans'
    /// binary serializer is used (<see cref="OrleansGrainStorageSerializer"/>), so state types
    /// only need <c>[GenerateSerializer]</c> and <c>[Id]</c> members and are version tolerant.
    /// The silo-wide <see cref="IGrainStorageSerializer"/> registered in the container is not
    /// used implicitly; set it here explicitly to opt in to it (e.g. a JSON serializer).
    /// Changing the serializer makes existing files unreadable.
    /// </summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }
}
