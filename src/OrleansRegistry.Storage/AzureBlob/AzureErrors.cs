using Azure;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// Turns what the Azure SDK throws into the errors of <see cref="IBlobStore"/>: a refused or failed
/// request becomes an <see cref="IOException"/> saying what was attempted on which blob and why, a
/// <see cref="StorageUnavailableException"/> when the account was unreachable or failed on its side.
/// Azure has no "storage full" a caller could act on, so nothing maps to <see cref="StorageFullException"/>.
/// </summary>
internal static class AzureErrors
{
    public const int NotFound = 404;
    public const int Conflict = 409;
    public const int PreconditionFailed = 412;
    public const int RangeNotSatisfiable = 416;

    /// <summary>Transport failures surface as a status 0 request failure, or several of them after the retries.</summary>
    public static bool IsAzureFailure(Exception exception) =>
        exception is RequestFailedException
        || (exception is AggregateException aggregate && aggregate.InnerExceptions.All(inner => inner is RequestFailedException));

    public static IOException ToIOException(Exception exception, string operation, string blobName)
    {
        var failure = exception as RequestFailedException
            ?? (exception as AggregateException)?.InnerExceptions.OfType<RequestFailedException>().LastOrDefault();
        var reason = failure switch
        {
            null => exception.Message,
            { Status: 0 } => $"the storage account could not be reached ({failure.Message.Split('\n')[0].Trim()})",
            { Status: 403 } => $"access denied (403 {failure.ErrorCode}): check the credential, its role assignment "
                + "(Storage Blob Data Contributor), the SAS permissions or the account's network rules",
            _ => $"{failure.Status} {failure.ErrorCode}",
        };
        var message = $"Azure blob storage: {operation} of '{blobName}' failed: {reason}";
        return failure is { Status: 0 or >= 500 }
            ? new StorageUnavailableException(message, exception)
            : new IOException(message, exception);
    }

    public static bool IsNotFound(RequestFailedException exception) => exception.Status == NotFound;

    /// <summary>A conditional request lost against a concurrent change (If-Match, If-None-Match: *).</summary>
    public static bool IsConditionFailure(RequestFailedException exception) =>
        exception.Status == PreconditionFailed
        || (exception.Status == Conflict && exception.ErrorCode == "BlobAlreadyExists");

    /// <summary>A block list named a block that is not staged (400 InvalidBlockList).</summary>
    public static bool IsInvalidBlockList(RequestFailedException exception) =>
        exception.Status == 400 && exception.ErrorCode == "InvalidBlockList";
}
