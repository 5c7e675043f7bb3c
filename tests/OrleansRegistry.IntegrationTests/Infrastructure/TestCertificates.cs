using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansRegistry.IntegrationTests.Infrastructure;

/// <summary>A throwaway CA and server certificates for 127.0.0.1, written as PEM files the way an operator mounts them.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _ca;

    public TestCertificates(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(CaDirectory);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "server"));
        var request = new CertificateRequest("CN=OrleansRegistry test CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        File.WriteAllText(CaPath, _ca.ExportCertificatePem());
    }

    public string Directory { get; }

    /// <summary>A certificate directory for skopeo and podman: the CA only (a *.key there would be taken for a client key).</summary>
    public string CaDirectory => Path.Combine(Directory, "ca");

    public string CaPath => Path.Combine(CaDirectory, "ca.crt");

    public string CertificatePath => Path.Combine(Directory, "server", "tls.crt");

    public string KeyPath => Path.Combine(Directory, "server", "tls.key");

    public X509Certificate2 Ca => _ca;

    /// <summary>Issues a server certificate for 127.0.0.1 into tls.crt / tls.key; returns its serial number.</summary>
    public string IssueServerCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var certificate = request.Create(_ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);

        // Key first, then the certificate: a reader never pairs a new certificate with an old key for long.
        File.WriteAllText(KeyPath + ".tmp", key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CertificatePath + ".tmp", certificate.ExportCertificatePem());
        File.Move(KeyPath + ".tmp", KeyPath, overwrite: true);
        File.Move(CertificatePath + ".tmp", CertificatePath, overwrite: true);
        return certificate.SerialNumber;
    }

    /// <summary>An HttpClient that trusts only this CA.</summary>
    public HttpClient CreateClient(Uri baseAddress, Action<X509Certificate2>? seen = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            if (certificate is null)
            {
                return false;
            }

            var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            seen?.Invoke(leaf);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(leaf);
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public void Dispose()
    {
        _ca.Dispose();
        _caKey.Dispose();
    }
}
