using OrleansRegistry.Edge.Hosting;

var app = EdgeHost.Build(args);
await app.RunAsync();
