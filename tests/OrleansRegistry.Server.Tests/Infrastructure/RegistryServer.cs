using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrleansRegistry.Grains.Persistence;
using OrleansRegistry.Server.Hosting;

namespace OrleansRegistry.Server.Tests.Infrastructure;

/// <summary>
/// The real server (Kestrel on loopback, Orleans silo, filesystem storage) in this process,
/// on fresh ports and a fresh data directory. Tests talk to it over real HTTP.
/// </summary>
public sealed class RegistryServer : IAsyncLifetime
{
    private readonly Dictionary<string, string> _settings;
    private WebApplication? _app;

    public RegistryServer()
    {
        _settings = [];
        DataPath = Path.Combine(Path.GetTempPath(), "orleans-registry-tests", Guid.NewGuid().ToString("N"));
    }

    /// <summary>A server with extra configuration (<c>Registry:DeleteEnabled</c> = <c>false</c>, ...).</summary>
    public static RegistryServer With(Dictionary<string, string> settings) => new(settings, null);

    /// <summary>A server with extra configuration and a change to its builder (a logger provider, ...).</summary>
    public static RegistryServer With(Dictionary<string, string> settings, Action<WebApplicationBuilder> configure) => new(settings, configure);

    private readonly Action<WebApplicationBuilder>? _configure;

    private RegistryServer(Dictionary<string, string> settings, Action<WebApplicationBuilder>? configure)
    {
        _settings = settings;
        _configure = configure;
        DataPath = Path.Combine(Path.GetTempPath(), "orleans-registry-tests", Guid.NewGuid().ToString("N"));
    }

    public string DataPath { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    public async Task InitializeAsync()
    {
        // A port that was free when picked can be taken before the silo binds it (an outgoing
        // connection of a test running in parallel gets the same ephemeral port): pick again.
        for (var attempt = 1; ; attempt++)
        {
            _app = RegistryHost.Build([.. Arguments()], _configure);
            try
            {
                await _app.StartAsync();
                break;
            }
            catch (Exception error) when (attempt < 5 && IsAddressInUse(error))
            {
                // The data directory's lock is an instance the host was given: released here, not by DI.
                _app.Services.GetService<DataDirectoryLock>()?.Dispose();
                await _app.DisposeAsync();
                _app = null;
            }
        }

        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    private List<string> Arguments()
    {
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            $"--Registry:DataPath={DataPath}",
            $"--Registry:Silo:SiloPort={FreePort.Next()}",
            $"--Registry:Silo:GatewayPort={FreePort.Next()}",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(_settings.Select(s => $"--{s.Key}={s.Value}"));
        return args;
    }

    private static bool IsAddressInUse(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Connections.AddressInUseException
                || e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
