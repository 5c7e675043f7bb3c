using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.Journal;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>Redirects: read SAS URLs signed with the account key or a user delegation key.</summary>
public sealed partial class AzureBlobStore
{
    /// <summary>
    /// A read-only SAS URL of the location's blob (<c>sp=r</c>, <c>sr=b</c>): valid from now minus
    /// <see cref="AzureBlobStoreOptions.SasClockSkew"/> until now plus <paramref name="lifetime"/>, HTTPS
    /// only when the account endpoint is HTTPS. Signed with the account key (a service SAS) or with a
    /// user delegation key (cached, renewed before it expires); null when the credential can do
    /// neither (a connection string holding a SAS). Nothing is sent to Azure but, now and then, the
    /// request for a user delegation key. The URL is never logged nor put in an exception.
    /// </summary>
    public async ValueTask<Uri?> GetReadUrlAsync(BlobLocation location, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, AzureBlobStoreOptions.MaxSasLifetime);
        var name = AzureBlobNames.BlobOf(location, out _);
        if (Signing == SasSigning.None)
        {
            return null;
        }

        var blob = container.GetBlobClient(name);
        var sas = ReadSas(container.Name, name, clock.GetUtcNow(), lifetime, options.SasClockSkew, blob.Uri);
        if (Signing == SasSigning.AccountKey)
        {
            return blob.GenerateSasUri(sas);
        }

        UserDelegationKey key;
        try
        {
            key = await delegationKeys!.GetAsync(sas.StartsOn, sas.ExpiresOn, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (AzureErrors.IsAzureFailure(exception))
        {
            throw AzureErrors.ToIOException(exception, "getting a user delegation key for a read URL", name);
        }

        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, container.AccountName) }.ToUri();
    }

    /// <summary>
    /// An account key signs a service SAS; without one, a token credential can get user delegation
    /// keys; anything else (a SAS connection string, anonymous access) signs nothing.
    /// </summary>
    internal static SasSigning ChooseSigning(bool hasAccountKey, bool usesTokenCredential) =>
        hasAccountKey ? SasSigning.AccountKey : usesTokenCredential ? SasSigning.UserDelegation : SasSigning.None;

    /// <summary>The SAS of a read of one blob: start backdated by the skew, expiry <paramref name="lifetime"/> from now.</summary>
    internal static BlobSasBuilder ReadSas(string containerName, string blobName, DateTimeOffset now, TimeSpan lifetime, TimeSpan clockSkew, Uri endpoint)
    {
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, now + lifetime)
        {
            BlobContainerName = containerName,
            BlobName = blobName,
            Resource = "b",
            StartsOn = now - clockSkew,
            Protocol = endpoint.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        return sas;
    }

    private async Task<UserDelegationKey> FetchDelegationKeyAsync(DateTimeOffset startsOn, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var service = container.GetParentBlobServiceClient();
        var response = await service.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(expiresOn) { StartsOn = startsOn }, cancellationToken)
            .ConfigureAwait(false);
        return response.Value;
    }
}

/// <summary>How an <see cref="AzureBlobStore"/> signs read SAS URLs.</summary>
internal enum SasSigning
{
    /// <summary>It cannot: no redirects.</summary>
    None,

    /// <summary>A service SAS signed with the account key of the connection string.</summary>
    AccountKey,

    /// <summary>A user delegation SAS signed with a key the token credential gets from Azure.</summary>
    UserDelegation,
}
