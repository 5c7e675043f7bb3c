namespace OrleansRegistry.Core.Errors;

/// <summary>
/// One entry of an OCI error body. <see cref="Detail"/> is serialized with System.Text.Json
/// as whatever it is (string, number, anonymous object, JsonElement...).
/// </summary>
public sealed record OciError(OciErrorCode Code, string Message, object? Detail = null)
{
    /// <summary>An error with the code's default message.</summary>
    public static OciError Of(OciErrorCode code, object? detail = null) => new(code, code.DefaultMessage(), detail);
}
