using OrleansRegistry.Contracts;
using OrleansRegistry.Grains.Auth;
using OrleansRegistry.Contracts.Auth;

namespace OrleansRegistry.Server.Auth;

/// <summary>
/// The directory grain as the HTTP layer sees it: the current <see cref="AccessPolicy"/>, compiled
/// once per directory version. Every token request reads the snapshot (an interleaved grain call
/// returning an immutable object), so a grant or revocation is seen by the next token on every silo.
/// </summary>
public sealed class AuthDirectory(IGrainFactory grains)
{
    private AccessPolicy? _policy;

    public IAuthDirectoryGrain Grain => grains.GetGrain<IAuthDirectoryGrain>(GrainKeys.AuthDirectory);

    public async Task<AccessPolicy> GetPolicyAsync()
    {
        var snapshot = await Grain.GetSnapshot();
        return Compile(snapshot);
    }

    public AccessPolicy Compile(AuthSnapshot snapshot)
    {
        var current = _policy;
        if (current is not null && current.Snapshot.Version == snapshot.Version)
        {
            return current;
        }

        var policy = new AccessPolicy(snapshot);
        if (current is null || snapshot.Version > current.Snapshot.Version)
        {
            _policy = policy;
        }

        return policy;
    }
}
