namespace OrleansRegistry.Core.Manifests;

/// <summary>Internal signal of a structurally invalid manifest; becomes a MANIFEST_INVALID result.</summary>
internal sealed class ManifestFormatException(string message) : Exception(message);
