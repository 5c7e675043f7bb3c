namespace OrleansRegistry.Hosting.RequestIds;

/// <summary>The <c>X-Request-Id</c> that follows a request from the edge through the silo.</summary>
public static class RequestId
{
    public const string Header = "X-Request-Id";

    /// <summary>Longest id taken from a client; longer ones are replaced.</summary>
    public const int MaxLength = 128;

    /// <summary>The id when it is 1 to <see cref="MaxLength"/> visible ASCII characters (nothing that could forge a log line or a header).</summary>
    public static string? Accept(string value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return null;
            }
        }

        return value;
    }
}
