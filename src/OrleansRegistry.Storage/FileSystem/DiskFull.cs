namespace OrleansRegistry.Storage.FileSystem;

/// <summary>Recognises "no space left" among I/O errors, so it can surface as <see cref="StorageFullException"/>.</summary>
internal static class DiskFull
{
    private const int Enospc = 28;
    private const int WindowsErrorHandleDiskFull = 39;
    private const int WindowsErrorDiskFull = 112;

    // On Unix .NET puts the raw errno into HResult; on Windows an HRESULT wrapping the Win32 error.
    public static bool Is(IOException exception)
    {
        var code = exception.HResult & 0xFFFF;
        return OperatingSystem.IsWindows()
            ? code is WindowsErrorHandleDiskFull or WindowsErrorDiskFull
            : code == Enospc;
    }

    public static StorageFullException ToStorageFull(IOException exception) =>
        new("no space left on the blob storage device", exception);
}
