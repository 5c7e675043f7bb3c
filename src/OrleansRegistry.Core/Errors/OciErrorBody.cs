using System.Text.Json;
using OrleansRegistry.Core.Json;

namespace OrleansRegistry.Core.Errors;

/// <summary>Writes the spec's error body <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
public static class OciErrorBody
{
    /// <summary>UTF-8 JSON. A null detail is omitted (the spec makes detail optional).</summary>
    public static byte[] ToUtf8Json(params IEnumerable<OciError> errors)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, RegistryJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("errors");
            foreach (var error in errors)
            {
                writer.WriteStartObject();
                writer.WriteString("code", error.Code.Code());
                writer.WriteString("message", error.Message);
                if (error.Detail is not null)
                {
                    writer.WritePropertyName("detail");
                    JsonSerializer.Serialize(writer, error.Detail, error.Detail.GetType());
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string ToJson(params IEnumerable<OciError> errors) =>
        System.Text.Encoding.UTF8.GetString(ToUtf8Json(errors));
}
