using OrleansRegistry.Grains.Auth;
using OrleansRegistry.Contracts.Auth;
using OrleansRegistry.Server.Auth;

namespace OrleansRegistry.Server.Tests.Auth;

public sealed class CredentialVerifierTests
{
    private static readonly AuthOptions Options = new() { BcryptCost = 4 };

    private static AccessPolicy PolicyWith(CredentialVerifier verifier, string name, string password) =>
        new(new AuthSnapshot
        {
            Users = [new UserRecord { Name = name, PasswordHash = verifier.HashPassword(password), Source = AuthSource.Api }],
        });

    [Fact]
    public async Task Concurrent_checks_of_the_same_credentials_share_one_bcrypt_run()
    {
        var verifier = new CredentialVerifier(Options, TimeProvider.System);
        var policy = PolicyWith(verifier, "dave", "dave-pass");
        using var release = new ManualResetEventSlim();
        var gateCalls = 0;
        bool Gate()
        {
            Interlocked.Increment(ref gateCalls);
            release.Wait(TimeSpan.FromSeconds(30));
            return true;
        }

        var checks = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() => verifier.Verify(policy, "dave", "dave-pass", Gate, out var _)))
            .ToArray();
        await Task.Delay(500);
        release.Set();
        var callers = await Task.WhenAll(checks);

        Assert.All(callers, caller => Assert.Equal("dave", caller?.Subject));
        Assert.Equal(1, gateCalls);
        Assert.Equal(1, verifier.BcryptVerifications);
    }

    [Fact]
    public void A_refusing_gate_checks_nothing()
    {
        var verifier = new CredentialVerifier(Options, TimeProvider.System);
        var policy = PolicyWith(verifier, "dave", "dave-pass");

        Assert.Null(verifier.Verify(policy, "dave", "dave-pass", () => false, out var refused));
        Assert.True(refused);
        Assert.Null(verifier.Verify(policy, "nobody", "x", () => false, out refused));
        Assert.True(refused);
        Assert.Equal(0, verifier.BcryptVerifications);

        // Once verified, the credentials are remembered and the gate is not asked again.
        Assert.NotNull(verifier.Verify(policy, "dave", "dave-pass", () => true, out refused));
        Assert.NotNull(verifier.Verify(policy, "dave", "dave-pass", () => throw new InvalidOperationException("asked"), out refused));
        Assert.False(refused);
        Assert.Equal(1, verifier.BcryptVerifications);
    }
}
