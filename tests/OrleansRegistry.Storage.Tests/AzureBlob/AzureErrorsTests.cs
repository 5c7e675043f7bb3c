using Azure;
using OrleansRegistry.Storage.AzureBlob;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

public sealed class AzureErrorsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(500)]
    [InlineData(503)]
    public void An_unreachable_or_failing_account_is_unavailable_storage(int status)
    {
        var error = AzureErrors.ToIOException(new RequestFailedException(status, "boom"), "storing", "blobs/x");

        var unavailable = Assert.IsType<StorageUnavailableException>(error);
        Assert.Contains("storing of 'blobs/x' failed", unavailable.Message);
    }

    [Fact]
    public void Retries_that_all_failed_to_connect_are_unavailable_storage()
    {
        var retries = new AggregateException(new RequestFailedException(0, "refused"), new RequestFailedException(0, "refused"));

        var error = AzureErrors.ToIOException(retries, "reading", "blobs/x");

        Assert.IsType<StorageUnavailableException>(error);
        Assert.Contains("could not be reached", error.Message);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(409)]
    public void A_refused_request_is_a_plain_storage_error(int status)
    {
        var error = AzureErrors.ToIOException(new RequestFailedException(status, "no"), "storing", "blobs/x");

        Assert.IsType<IOException>(error);
    }
}
