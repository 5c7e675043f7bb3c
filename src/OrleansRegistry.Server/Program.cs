using OrleansRegistry.Grains.Persistence;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Hosting;

WebApplication app;
try
{
    app = RegistryHost.Build(args);
}
catch (Exception error) when (error is DataDirectoryInUseException or AuthConfigurationException or RegistryConfigurationException)
{
    // An operator mistake, not a crash: say what is wrong and exit non-zero without a stack trace.
    Console.Error.WriteLine($"orleans-registry: {error.Message}");
    return 1;
}

await app.RunAsync();
return 0;
