using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrleansRegistry.Core.Json;

/// <summary>Writer settings for the JSON the registry emits.</summary>
internal static class RegistryJson
{
    /// <summary>
    /// Relaxed escaping so media types read <c>v1+json</c> rather than <c>v1\u002Bjson</c>.
    /// Safe here: these bodies are served as JSON, never embedded in HTML.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
