using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;

namespace OrleansRegistry.Server.Uploads;

/// <summary>A chunk that does not start at the committed length: answered 416 with the session's Range.</summary>
public sealed class UploadOffsetMismatchException(UploadSnapshot upload)
    : Exception("the chunk does not start at the end of the committed upload")
{
    public UploadSnapshot Upload { get; } = upload;
}
