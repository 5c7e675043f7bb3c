using System.Security.Cryptography;
using System.Web;
using Azure.Storage.Blobs.Models;
using OrleansRegistry.Storage.AzureBlob;

namespace OrleansRegistry.Storage.Tests.AzureBlob;

/// <summary>User delegation SAS: the key cache and the URL it signs.</summary>
public sealed class UserDelegationSasTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly AzuriteContainer container = new(azurite);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => container.DeleteAsync();

    [Fact]
    public async Task One_key_serves_many_urls_and_is_renewed_before_it_expires()
    {
        var clock = new SteppingClock(Start);
        var asked = new List<(DateTimeOffset Starts, DateTimeOffset Expires)>();
        var cache = new UserDelegationKeyCache((starts, expires, _) =>
        {
            asked.Add((starts, expires));
            return Task.FromResult(Key(starts, expires));
        }, clock, Skew);

        var first = await cache.GetAsync(Start - Skew, Start + TimeSpan.FromMinutes(5), default);
        Assert.Equal(Start - Skew, first.SignedStartsOn);
        Assert.Equal(Start + TimeSpan.FromMinutes(5) + UserDelegationKeyCache.KeyLifetime, first.SignedExpiresOn);

        clock.Now = Start + TimeSpan.FromHours(1);
        Assert.Same(first, await cache.GetAsync(clock.Now - Skew, clock.Now + TimeSpan.FromMinutes(5), default));
        Assert.Equal(1, cache.Fetches);

        // A URL that would outlive the key (less the margin) gets a new key, which then serves the rest.
        clock.Now = first.SignedExpiresOn - TimeSpan.FromMinutes(5);
        var second = await cache.GetAsync(clock.Now - Skew, clock.Now + TimeSpan.FromMinutes(5), default);
        Assert.NotSame(first, second);
        Assert.Equal(clock.Now - Skew, second.SignedStartsOn);
        Assert.Same(second, await cache.GetAsync(clock.Now - Skew, clock.Now + TimeSpan.FromMinutes(5), default));
        Assert.Equal(2, asked.Count);
    }

    [Fact]
    public async Task Callers_racing_for_a_key_share_one_request()
    {
        var release = new TaskCompletionSource();
        var fetches = 0;
        var clock = new SteppingClock(Start);
        var cache = new UserDelegationKeyCache(async (starts, expires, _) =>
        {
            Interlocked.Increment(ref fetches);
            await release.Task;
            return Key(starts, expires);
        }, clock, Skew);

        var waiting = Enumerable.Range(0, 8).Select(_ => cache.GetAsync(Start - Skew, Start + TimeSpan.FromMinutes(5), default).AsTask()).ToArray();
        release.SetResult();
        var keys = await Task.WhenAll(waiting);
        Assert.Equal(1, fetches);
        Assert.All(keys, key => Assert.Same(keys[0], key));
    }

    [Fact]
    public async Task A_failed_request_is_tried_again_by_the_next_caller_and_lifetimes_past_seven_days_are_refused()
    {
        var clock = new SteppingClock(Start);
        var fail = true;
        var cache = new UserDelegationKeyCache((starts, expires, _) =>
            fail ? Task.FromException<UserDelegationKey>(new Azure.RequestFailedException(403, "denied")) : Task.FromResult(Key(starts, expires)),
            clock, Skew);
        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => cache.GetAsync(Start - Skew, Start + TimeSpan.FromMinutes(5), default).AsTask());
        fail = false;
        Assert.NotNull(await cache.GetAsync(Start - Skew, Start + TimeSpan.FromMinutes(5), default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => cache.GetAsync(Start - Skew, Start + TimeSpan.FromDays(7), default).AsTask());
    }

    [Fact]
    public async Task The_store_signs_a_user_delegation_sas_with_the_cached_key()
    {
        var clock = new SteppingClock(DateTimeOffset.UtcNow);
        var keys = 0;
        var store = new AzureBlobStore(container.Client, new AzureBlobStoreOptions { ConnectionString = azurite.ConnectionString }, clock,
            (starts, expires, _) =>
            {
                keys++;
                return Task.FromResult(Key(starts, expires));
            });
        Assert.Equal(SasSigning.UserDelegation, store.Signing);
        var location = new BlobLocation("blobs/sha256/" + new string('b', 64));

        var url = (await store.GetReadUrlAsync(location, TimeSpan.FromMinutes(5), default))!;
        var again = (await store.GetReadUrlAsync(location, TimeSpan.FromMinutes(5), default))!;
        Assert.Equal(1, keys);
        var query = HttpUtility.ParseQueryString(url.Query);
        Assert.Equal("r", query["sp"]);
        Assert.Equal("b", query["sr"]);
        Assert.Equal("00000000-0000-0000-0000-000000000001", query["skoid"]);
        Assert.False(string.IsNullOrEmpty(query["ske"]));
        Assert.Equal(clock.Now.AddMinutes(-5).ToString("yyyy-MM-ddTHH:mm:ssZ"), query["st"]);
        Assert.Equal(clock.Now.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ssZ"), query["se"]);
        Assert.NotNull(again);
    }

    /// <summary>
    /// Azurite hands out user delegation keys only to OAuth (Bearer) callers, which needs it on HTTPS
    /// with <c>--oauth basic</c>; a shared-key caller is refused. That refusal shows how a failure to
    /// get a key surfaces: an <see cref="IOException"/> naming the blob, not the URL. Whether Azure
    /// accepts the URLs signed with a real key is not verified by these tests.
    /// </summary>
    [Fact]
    public async Task A_key_the_service_refuses_is_an_io_error_without_any_url()
    {
        var service = azurite.Service;
        var store = new AzureBlobStore(container.Client, new AzureBlobStoreOptions { ConnectionString = azurite.ConnectionString }, TimeProvider.System,
            async (starts, expires, cancellationToken) =>
                (await service.GetUserDelegationKeyAsync(new BlobGetUserDelegationKeyOptions(expires) { StartsOn = starts }, cancellationToken)).Value);
        var location = new BlobLocation("blobs/sha256/" + new string('c', 64));

        var error = await Assert.ThrowsAsync<IOException>(() => store.GetReadUrlAsync(location, TimeSpan.FromMinutes(5), default).AsTask());
        Assert.Contains("user delegation key", error.Message);
        Assert.Contains("403", error.Message);
        Assert.DoesNotContain("sig=", error.ToString());
    }

    private static UserDelegationKey Key(DateTimeOffset starts, DateTimeOffset expires) =>
        // Positional: the named overloads of the model factory are ambiguous.
        BlobsModelFactory.UserDelegationKey(
            "00000000-0000-0000-0000-000000000001",
            "00000000-0000-0000-0000-000000000002",
            starts,
            expires,
            "b",
            "2025-01-05",
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    private sealed class SteppingClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
