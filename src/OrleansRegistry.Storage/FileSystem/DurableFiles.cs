using Microsoft.Win32.SafeHandles;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// The crash-safe way content appears: bytes are flushed to disk under a private name, then
/// renamed to their final name, then the directory holding that name is flushed. So a final
/// path never shows partial content, and once published it survives a power loss.
/// </summary>
internal static class DurableFiles
{
    private const int Eexist = 17;

    public static void FlushFile(string path)
    {
        // Write access: Windows flushes only handles opened for writing.
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>
    /// Renames a flushed file to <paramref name="finalPath"/> unless a file is already there.
    /// Returns false when another writer published first; the source is then left in place.
    /// </summary>
    public static bool TryPublish(string flushedPath, string finalPath)
    {
        var directory = Path.GetDirectoryName(finalPath)!;
        Directory.CreateDirectory(directory);
        try
        {
            // No overwrite: published content is immutable, and a racing publisher wins cleanly.
            File.Move(flushedPath, finalPath, overwrite: false);
        }
        catch (IOException exception) when (IsAlreadyThere(exception, finalPath))
        {
            return false;
        }

        DirectorySync.Flush(directory);

        // The prefix directory may be new; flush its entry as well.
        DirectorySync.Flush(Path.GetDirectoryName(directory)!);
        return true;
    }

    public static void DeleteIfExists(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone with its directory.
        }
    }

    private static bool IsAlreadyThere(IOException exception, string finalPath) =>
        exception is not FileNotFoundException and not DirectoryNotFoundException
        && ((exception.HResult & 0xFFFF) == Eexist || File.Exists(finalPath));
}
