using Azure.Storage.Blobs.Models;

namespace OrleansRegistry.Storage.AzureBlob;

/// <summary>
/// The user delegation key that signs read SAS URLs when the store signs in with a token credential
/// (DefaultAzureCredential) and has no account key. Getting a key is a request to Azure, so one key
/// is kept and shared by every URL until it would not outlive the next URL by <see cref="RenewMargin"/>;
/// then one caller gets a new one while the others wait for it. A key starts at the time it was
/// asked for minus the clock skew (the same backdating as the URLs it signs) and lasts
/// <see cref="KeyLifetime"/> past the expiry of the URL that asked for it (never past Azure's 7 days).
/// </summary>
internal sealed class UserDelegationKeyCache(
    Func<DateTimeOffset, DateTimeOffset, CancellationToken, Task<UserDelegationKey>> fetch,
    TimeProvider clock,
    TimeSpan clockSkew)
{
    /// <summary>How long a key is asked for. Azure allows at most 7 days.</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromHours(6);

    /// <summary>Azure's limit on a user delegation key's validity, counted from now.</summary>
    public static readonly TimeSpan MaxKeyLifetime = TimeSpan.FromDays(7);

    /// <summary>A key is replaced once it would expire less than this after a URL it signs.</summary>
    public static readonly TimeSpan RenewMargin = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim gate = new(1, 1);
    private UserDelegationKey? current;

    /// <summary>How many keys were asked for (for tests).</summary>
    public int Fetches { get; private set; }

    /// <summary>A key valid from <paramref name="startsOn"/> at the latest until <paramref name="expiresOn"/> (plus the margin).</summary>
    public async ValueTask<UserDelegationKey> GetAsync(DateTimeOffset startsOn, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var key = Volatile.Read(ref current);
        if (Covers(key, startsOn, expiresOn))
        {
            return key!;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            key = current;
            if (Covers(key, startsOn, expiresOn))
            {
                return key!;
            }

            var now = clock.GetUtcNow();
            var keyStarts = now - clockSkew;
            if (keyStarts > startsOn)
            {
                keyStarts = startsOn;
            }

            var keyExpires = Earlier(Later(now, expiresOn) + KeyLifetime, now + MaxKeyLifetime);
            if (keyExpires < expiresOn + RenewMargin)
            {
                throw new ArgumentOutOfRangeException(nameof(expiresOn), "a user delegation SAS cannot outlive 7 days from now");
            }

            key = await fetch(keyStarts, keyExpires, cancellationToken).ConfigureAwait(false);
            Fetches++;
            Volatile.Write(ref current, key);
            return key;
        }
        finally
        {
            gate.Release();
        }
    }

    internal static bool Covers(UserDelegationKey? key, DateTimeOffset startsOn, DateTimeOffset expiresOn) =>
        key is not null && key.SignedStartsOn <= startsOn && key.SignedExpiresOn >= expiresOn + RenewMargin;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
