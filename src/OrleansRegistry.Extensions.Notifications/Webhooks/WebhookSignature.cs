using System.Security.Cryptography;
using System.Text;

namespace OrleansRegistry.Extensions.Notifications.Webhooks;

/// <summary>
/// Standard Webhooks signing: <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 over "id.timestamp.body"&gt;</c>.
/// The key is the secret's bytes: base64 after <c>whsec_</c> (the Standard Webhooks form, which its
/// libraries verify as is), otherwise the secret's UTF-8 bytes.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public static string Sign(string secret, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(Key(secret), signed));
    }

    public static byte[] Key(string secret) =>
        secret.StartsWith("whsec_", StringComparison.Ordinal) && TryBase64(secret["whsec_".Length..], out var key) ? key : Encoding.UTF8.GetBytes(secret);

    private static bool TryBase64(string value, out byte[] bytes)
    {
        bytes = new byte[value.Length];
        if (Convert.TryFromBase64String(value, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
