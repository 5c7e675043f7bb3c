namespace OrleansRegistry.Core.Errors;

/// <summary>
/// Thrown anywhere below the HTTP layer to end a request with an OCI error response;
/// the server maps it to <see cref="StatusCode"/> and <see cref="OciErrorBody"/>.
/// </summary>
public sealed class OciException : Exception
{
    public OciException(OciErrorCode code, string? message = null, object? detail = null, int? statusCode = null)
        : this(statusCode ?? code.DefaultStatus(), new OciError(code, message ?? code.DefaultMessage(), detail))
    {
    }

    public OciException(int statusCode, params IReadOnlyList<OciError> errors)
        : base(errors.Count > 0 ? $"{errors[0].Code.Code()}: {errors[0].Message}" : $"HTTP {statusCode}")
    {
        StatusCode = statusCode;
        Errors = errors;
    }

    public int StatusCode { get; }

    public IReadOnlyList<OciError> Errors { get; }

    /// <summary>The first error's code (the one that chose the status).</summary>
    public OciErrorCode? Code => Errors.Count > 0 ? Errors[0].Code : null;
}
