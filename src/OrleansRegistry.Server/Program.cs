using OrleansRegistry.Server.Hosting;

var app = RegistryHost.Build(args);
await app.RunAsync();
