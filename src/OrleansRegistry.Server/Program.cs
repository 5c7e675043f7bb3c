using OrleansRegistry.Grains.Persistence;
using OrleansRegistry.Server.Auth;
using OrleansRegistry.Server.Hosting;

WebApplication app;
try
{
    app = RegistryHost.Build(args);
}
catch (DataDirectoryInUseException error)
{
    // An operator mistake, not a crash: say what is wrong and exit non-zero without a stack trace.
    Console.Error.WriteLine($"orleans-registry: {error.Message}");
    return 1;
}
catch (AuthConfigurationException error)
{
    Console.Error.WriteLine($"orleans-registry: {error.Message}");
    return 1;
}

await app.RunAsync();
return 0;
