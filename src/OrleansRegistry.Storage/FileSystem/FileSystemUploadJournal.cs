using Microsoft.Win32.SafeHandles;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage.FileSystem;

/// <summary>
/// An upload's journal: <c>uploads/&lt;uploadId&gt;/journal</c>, next to the data file it describes.
/// Appends are serialized by the upload's owning attempt (<see cref="UploadLock"/>), so a stale
/// writer is the only conflict: one whose position is not where the intact records end. Bytes past
/// them are the torn tail of a crashed append and are overwritten. A file that ends at the position
/// (every append but the first after a crash or a stale writer) ends with the record that returned
/// it, so only a file of another length is read and checked.
/// </summary>
internal static class FileSystemUploadJournal
{
    private const string FileName = "journal";

    public static UploadJournal Read(FileSystemLayout layout, string uploadId)
    {
        try
        {
            return JournalFraming.Parse(File.ReadAllBytes(Path.Combine(layout.UploadPath(uploadId), FileName)));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return UploadJournal.Empty;
        }
    }

    public static long Append(FileSystemLayout layout, string uploadId, long position, ReadOnlySpan<byte> record)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var framed = JournalFraming.Frame(record);
        var uploadPath = layout.UploadPath(uploadId);
        try
        {
            using (var journal = Open(uploadPath, uploadId, position))
            {
                var length = RandomAccess.GetLength(journal);
                if (length != position && IntactLength(journal, length) != position)
                {
                    throw new UploadJournalConflictException(uploadId, position);
                }

                RandomAccess.Write(journal, framed, position);
                var end = position + framed.Length;
                if (length > end)
                {
                    RandomAccess.SetLength(journal, end);
                }

                RandomAccess.FlushToDisk(journal);
            }

            // The first record creates the file: make its name durable too.
            if (position == 0)
            {
                DirectorySync.Flush(uploadPath);
            }

            return position + framed.Length;
        }
        catch (IOException exception) when (DiskFull.Is(exception))
        {
            throw DiskFull.ToStorageFull(exception);
        }
    }

    private static SafeFileHandle Open(string uploadPath, string uploadId, long position)
    {
        try
        {
            return File.OpenHandle(
                Path.Combine(uploadPath, FileName),
                position == 0 ? FileMode.OpenOrCreate : FileMode.Open,
                FileAccess.ReadWrite,
                FileShare.ReadWrite | FileShare.Delete);
        }
        catch (DirectoryNotFoundException)
        {
            // The upload's staging is gone (cancelled, expired or never started).
            throw new BlobNotFoundException(FileSystemLayout.StagedName(uploadId));
        }
        catch (FileNotFoundException)
        {
            throw new UploadJournalConflictException(uploadId, position);
        }
    }

    private static long IntactLength(SafeFileHandle journal, long length)
    {
        var bytes = new byte[length];
        var read = RandomAccess.Read(journal, bytes, 0);
        return JournalFraming.Parse(bytes.AsSpan(0, read)).Length;
    }
}
