using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OrleansRegistry.Grains.Auth;
using OrleansRegistry.Contracts.Auth;

namespace OrleansRegistry.Server.Auth;

/// <summary>A verified caller: the subject and the stamp of the credential it used.</summary>
public sealed record Authenticated(string Subject, string Stamp, bool IsRobot);

/// <summary>
/// Checks a user name and password against the directory. Users: bcrypt, at the cost of the stored
/// hash; a success is remembered for <see cref="AuthOptions.CredentialCacheDuration"/> under a
/// SHA-256 of (name, password, stored hash), so a changed password or a deleted user is never
/// served from the cache and the cache holds no password. Robots: their secrets are 256 random
/// bits, so a SHA-256 compared in fixed time is enough (no bcrypt, no cache needed).
/// Concurrent checks of the same credentials share one bcrypt run (a node pool logging in with one
/// pull secret at once costs one check, not one per node).
/// </summary>
public sealed class CredentialVerifier(AuthOptions options, TimeProvider clock)
{
    private const int MaxCached = 10_000;

    // Verified against when the user does not exist, so that an unknown name costs what a wrong password costs.
    private static readonly Lazy<string> DummyHash = new(() => BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString(), 10));

    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    // The bcrypt checks running now, by cache key: true or false, null when the gate refused to run it.
    private readonly ConcurrentDictionary<string, Lazy<bool?>> _running = new(StringComparer.Ordinal);

    /// <summary>Number of bcrypt verifications done (for tests and measurements).</summary>
    public long BcryptVerifications => Interlocked.Read(ref _bcryptVerifications);

    private long _bcryptVerifications;

    public Authenticated? Verify(AccessPolicy policy, string name, string password) =>
        Verify(policy, name, password, mayRunBcrypt: null, out _);

    /// <summary>
    /// As <see cref="Verify(AccessPolicy, string, string)"/>, asking <paramref name="mayRunBcrypt"/> first
    /// whenever the check would cost a bcrypt run (an unknown user, or a password not verified recently).
    /// When it says no, nothing is checked: null with <paramref name="refused"/> set.
    /// </summary>
    public Authenticated? Verify(AccessPolicy policy, string name, string password, Func<bool>? mayRunBcrypt, out bool refused)
    {
        refused = false;
        var now = clock.GetUtcNow();
        if (AccessPolicy.IsRobotName(name))
        {
            var robot = policy.FindRobot(name);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
            var expected = robot?.SecretSha256 ?? new string('0', 64);
            var matches = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hash), Encoding.ASCII.GetBytes(expected));
            return robot is not null && matches && !AccessPolicy.IsExpired(robot, now)
                ? new Authenticated(robot.Name, robot.Stamp, true)
                : null;
        }

        var user = policy.FindUser(name);
        if (user is null)
        {
            refused = mayRunBcrypt?.Invoke() == false;
            if (!refused)
            {
                VerifyBcrypt(password, DummyHash.Value);
            }

            return null;
        }

        var key = CacheKey(name, password, user.PasswordHash);
        if (options.CredentialCacheDuration > TimeSpan.Zero && _verified.TryGetValue(key, out var until) && until > now)
        {
            return new Authenticated(user.Name, user.Stamp, false);
        }

        var running = _running.GetOrAdd(key, _ => new Lazy<bool?>(() =>
            mayRunBcrypt?.Invoke() == false ? null : VerifyBcrypt(password, user.PasswordHash)));
        bool? verified;
        try
        {
            verified = running.Value;
        }
        finally
        {
            _running.TryRemove(KeyValuePair.Create(key, running));
        }

        refused = verified is null;
        if (verified != true)
        {
            return null;
        }

        if (options.CredentialCacheDuration > TimeSpan.Zero)
        {
            if (_verified.Count >= MaxCached)
            {
                _verified.Clear();
            }

            _verified[key] = now + options.CredentialCacheDuration;
        }

        return new Authenticated(user.Name, user.Stamp, false);
    }

    public string HashPassword(string password) => BCrypt.Net.BCrypt.HashPassword(password, options.BcryptCost);

    public bool VerifyBcrypt(string password, string hash)
    {
        Interlocked.Increment(ref _bcryptVerifications);
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }

    /// <summary>A new robot secret: 32 random bytes, base64url; and its stored form.</summary>
    public static (string Secret, string Sha256) NewRobotSecret()
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (secret, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))));
    }

    private static string CacheKey(string name, string password, string storedHash)
    {
        var bytes = Encoding.UTF8.GetBytes($"{name}\0{password}\0{storedHash}");
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
