using System.Security.Cryptography.X509Certificates;

namespace OrleansRegistry.Edge.Tls;

/// <summary>
/// A PEM certificate and key read from files and read again when either file changes (checked at
/// most every few seconds, on handshakes), so a renewed certificate (cert-manager, a mounted
/// Secret) is served without a restart.
/// </summary>
public sealed class ReloadingCertificate(string certificatePath, string keyPath, TimeProvider clock, ILogger<ReloadingCertificate> logger)
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);
    private readonly Lock _gate = new();
    private X509Certificate2? _current;
    private (DateTime Cert, DateTime Key) _stamps;
    private DateTimeOffset _nextCheck;

    public X509Certificate2 Current
    {
        get
        {
            lock (_gate)
            {
                var now = clock.GetUtcNow();
                if (_current is null || now >= _nextCheck)
                {
                    _nextCheck = now + CheckInterval;
                    var stamps = (File.GetLastWriteTimeUtc(certificatePath), File.GetLastWriteTimeUtc(keyPath));
                    if (_current is null || stamps != _stamps)
                    {
                        Load(stamps);
                    }
                }

                return _current!;
            }
        }
    }

    private void Load((DateTime, DateTime) stamps)
    {
        try
        {
            var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // Re-import so the key is usable by SslStream on every platform.
            _current = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            _stamps = stamps;
            logger.LogInformation("TLS certificate loaded: {Subject}, valid until {NotAfter}", _current.Subject, _current.NotAfter);
        }
        catch (Exception error) when (_current is not null)
        {
            // A half-written renewal: keep serving the previous certificate and try again later.
            logger.LogWarning(error, "could not reload the TLS certificate; keeping the previous one");
        }
    }
}
