namespace OrleansRegistry.Storage.FileSystem;

/// <summary>Walks <c>uploads/</c> for expiry: each upload directory with its latest write time.</summary>
internal static class StagedUploadListing
{
    public static IEnumerable<StagedUpload> List(FileSystemLayout layout, CancellationToken cancellationToken)
    {
        var uploads = new DirectoryInfo(layout.UploadsPath);
        foreach (var upload in uploads.EnumerateDirectories())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!FileSystemLayout.IsValidId(upload.Name) || LatestWrite(upload) is not { } lastModified)
            {
                continue;
            }

            yield return new StagedUpload(upload.Name, lastModified);
        }
    }

    // Null when the directory vanished meanwhile (deleted by a concurrent cleanup).
    private static DateTimeOffset? LatestWrite(DirectoryInfo upload)
    {
        try
        {
            var latest = upload.LastWriteTimeUtc;
            foreach (var part in upload.EnumerateFiles())
            {
                if (part.LastWriteTimeUtc > latest)
                {
                    latest = part.LastWriteTimeUtc;
                }
            }

            return new DateTimeOffset(latest, TimeSpan.Zero);
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
