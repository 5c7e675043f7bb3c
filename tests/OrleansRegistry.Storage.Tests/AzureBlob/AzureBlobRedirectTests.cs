using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Web;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;
using OrleansRegistry.Core.Digests;
using OrleansRegistry.Storage.AzureBlob;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

/// <summary>Read SAS URLs of <see cref="AzureBlobStore"/> (the <see cref="IBlobRedirects"/> capability) against Azurite.</summary>
public sealed class AzureBlobRedirectTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly AzuriteContainer container = new(azurite);
    private readonly HttpClient http = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        http.Dispose();
        await container.DeleteAsync();
    }

    [Fact]
    public async Task A_connection_string_with_the_account_key_signs_a_read_only_service_sas_of_the_one_blob()
    {
        var store = container.CreateStore();
        Assert.Equal(SasSigning.AccountKey, store.Signing);
        var data = RandomNumberGenerator.GetBytes(70_000);
        var location = await CommitUploadAsync(store, data);

        var before = DateTimeOffset.UtcNow;
        var url = await store.GetReadUrlAsync(location, Lifetime, default);
        var after = DateTimeOffset.UtcNow;

        Assert.NotNull(url);
        Assert.Equal(container.Client.GetBlobClient(location.Value).Uri.GetLeftPart(UriPartial.Path), url.GetLeftPart(UriPartial.Path));
        var query = HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("r", query["sp"]);
        Assert.Equal("b", query["sr"]);
        Assert.Equal("https,http", query["spr"]);
        Assert.False(string.IsNullOrEmpty(query["sig"]));
        AssertBetween(DateTimeOffset.Parse(query["st"]!), before - TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1), after - TimeSpan.FromMinutes(5));
        AssertBetween(DateTimeOffset.Parse(query["se"]!), before + Lifetime - TimeSpan.FromSeconds(1), after + Lifetime);

        Assert.Equal(data, await http.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task The_url_reads_ranges_and_manifest_content_but_cannot_write_or_delete()
    {
        var store = container.CreateStore();
        var manifest = RandomNumberGenerator.GetBytes(1000);
        var location = await store.PutAsync(Sha256(manifest), manifest, default);
        var url = (await store.GetReadUrlAsync(location, Lifetime, default))!;

        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new RangeHeaderValue(10, 19);
        using var partial = await http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(manifest.AsSpan(10, 10).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent([1, 2, 3]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using (var written = await http.SendAsync(put))
        {
            Assert.Equal(HttpStatusCode.Forbidden, written.StatusCode);
        }

        using (var deleted = await http.DeleteAsync(url))
        {
            Assert.Equal(HttpStatusCode.Forbidden, deleted.StatusCode);
        }

        Assert.Equal(manifest, await http.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task The_url_names_one_blob_only_and_a_tampered_signature_is_refused()
    {
        var store = container.CreateStore();
        var first = await store.PutAsync(Sha256([1]), new byte[] { 1 }, default);
        var second = await store.PutAsync(Sha256([2]), new byte[] { 2 }, default);
        var url = (await store.GetReadUrlAsync(first, Lifetime, default))!;

        var otherBlob = new Uri(container.Client.GetBlobClient(second.Value).Uri.GetLeftPart(UriPartial.Path) + url.Query);
        using (var other = await http.GetAsync(otherBlob))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }

        var query = HttpUtility.ParseQueryString(url.Query);
        query["se"] = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        using var longer = await http.GetAsync(new Uri(url.GetLeftPart(UriPartial.Path) + "?" + query));
        Assert.Equal(HttpStatusCode.Forbidden, longer.StatusCode);
    }

    [Fact]
    public async Task An_expired_url_is_refused_and_a_clock_behind_the_service_is_covered_by_the_backdated_start()
    {
        var data = RandomNumberGenerator.GetBytes(100);

        // This host's clock 3 minutes behind: the start is still in the service's past.
        var behind = CreateStore(new FixedClock(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(3)));
        var location = await behind.PutAsync(Sha256(data), data, default);
        Assert.Equal(data, await http.GetByteArrayAsync((await behind.GetReadUrlAsync(location, Lifetime, default))!));

        // Without backdating, a start 3 minutes in the service's future is refused.
        var noSkew = CreateStore(new FixedClock(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(3)), TimeSpan.Zero);
        using (var early = await http.GetAsync((await noSkew.GetReadUrlAsync(location, Lifetime, default))!))
        {
            Assert.Equal(HttpStatusCode.Forbidden, early.StatusCode);
        }

        var expired = CreateStore(new FixedClock(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(20)));
        using var late = await http.GetAsync((await expired.GetReadUrlAsync(location, Lifetime, default))!);
        Assert.Equal(HttpStatusCode.Forbidden, late.StatusCode);
    }

    [Fact]
    public async Task A_sas_connection_string_cannot_sign_so_there_is_no_url()
    {
        var owner = container.CreateStore();
        var data = RandomNumberGenerator.GetBytes(10);
        var location = await owner.PutAsync(Sha256(data), data, default);
        var containerSas = container.Client.GenerateSasUri(BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1));
        var connection = $"BlobEndpoint={azurite.Endpoint};SharedAccessSignature={containerSas.Query.TrimStart('?')}";
        var store = AzureBlobStore.Create(new AzureBlobStoreOptions { ConnectionString = connection, ContainerName = container.Client.Name });

        Assert.Equal(SasSigning.None, store.Signing);
        Assert.Null(await store.GetReadUrlAsync(location, Lifetime, default));
        await using var read = await store.OpenReadAsync(location, 0, null, default);
        Assert.Equal(10, await CountAsync(read));
    }

    [Fact]
    public async Task Bad_arguments_are_refused()
    {
        var store = container.CreateStore();
        var location = new BlobLocation("blobs/sha256/" + new string('a', 64));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetReadUrlAsync(new BlobLocation("elsewhere/x"), Lifetime, default).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetReadUrlAsync(location, TimeSpan.Zero, default).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetReadUrlAsync(location, TimeSpan.FromDays(2), default).AsTask());
        Assert.Throws<ArgumentOutOfRangeException>(() => CreateStore(TimeProvider.System, TimeSpan.FromMinutes(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CreateStore(TimeProvider.System, TimeSpan.FromHours(2)));
    }

    [Fact]
    public void The_signing_follows_the_credential()
    {
        Assert.Equal(SasSigning.AccountKey, AzureBlobStore.ChooseSigning(hasAccountKey: true, usesTokenCredential: false));
        Assert.Equal(SasSigning.UserDelegation, AzureBlobStore.ChooseSigning(hasAccountKey: false, usesTokenCredential: true));
        Assert.Equal(SasSigning.None, AzureBlobStore.ChooseSigning(hasAccountKey: false, usesTokenCredential: false));

        // Create with a service URI signs in with DefaultAzureCredential: user delegation (nothing is sent yet).
        var token = AzureBlobStore.Create(new AzureBlobStoreOptions { ServiceUri = new Uri("https://example.invalid") });
        Assert.Equal(SasSigning.UserDelegation, token.Signing);
        Assert.NotNull(token.DelegationKeys);
        Assert.Equal(SasSigning.AccountKey, container.CreateStore().Signing);
    }

    private AzureBlobStore CreateStore(TimeProvider clock, TimeSpan? skew = null) =>
        new(container.Client, new AzureBlobStoreOptions
        {
            ConnectionString = azurite.ConnectionString,
            SasClockSkew = skew ?? TimeSpan.FromMinutes(5),
        }, clock, delegationKeySource: null);

    private static async Task<BlobLocation> CommitUploadAsync(AzureBlobStore store, byte[] data)
    {
        var uploadId = Guid.NewGuid().ToString("N");
        IReadOnlyList<string> parts;
        await using (var writer = await store.BeginStagingAsync(uploadId, committedLength: 0, default))
        {
            await writer.WriteAsync(data, default);
            parts = await writer.CompleteAsync(default);
        }

        return await store.CommitAsync(uploadId, parts, data.Length, Sha256(data), default);
    }

    private static Digest Sha256(byte[] data) => Digest.Parse("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)));

    private static async Task<long> CountAsync(Stream stream)
    {
        var buffer = new byte[8192];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static void AssertBetween(DateTimeOffset value, DateTimeOffset low, DateTimeOffset high) =>
        Assert.True(value >= low && value <= high, $"{value:O} is not between {low:O} and {high:O}");

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
