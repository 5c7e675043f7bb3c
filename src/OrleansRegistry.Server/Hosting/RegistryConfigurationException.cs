namespace OrleansRegistry.Server.Hosting;

/// <summary>Configuration that cannot work; the process says why and exits 1 instead of crashing.</summary>
public sealed class RegistryConfigurationException(string message) : Exception(message);
