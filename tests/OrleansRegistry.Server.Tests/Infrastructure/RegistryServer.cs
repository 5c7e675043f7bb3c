using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
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
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            $"--Registry:DataPath={DataPath}",
            $"--Registry:Silo:SiloPort={FreePort.Next()}",
            $"--Registry:Silo:GatewayPort={FreePort.Next()}",
            "--Logging:LogLevel:Default=Warning",
        };
        args.AddRange(_settings.Select(s => $"--{s.Key}={s.Value}"));
        _app = RegistryHost.Build([.. args], _configure);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
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
