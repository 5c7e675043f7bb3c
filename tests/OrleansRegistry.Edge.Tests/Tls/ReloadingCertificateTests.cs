using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansRegistry.Edge.Tls;

namespace OrleansRegistry.Edge.Tests.Tls;

public sealed class ReloadingCertificateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("edge-tls-").FullName;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero));

    private string CertificatePath => Path.Combine(_directory, "tls.crt");

    private string KeyPath => Path.Combine(_directory, "tls.key");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_certificate_is_read_from_the_pem_files_with_a_usable_key()
    {
        Write("CN=first", stamp: 1);
        var certificate = new ReloadingCertificate(CertificatePath, KeyPath, _clock, NullLogger<ReloadingCertificate>.Instance);

        var current = certificate.Current;

        Assert.Equal("CN=first", current.Subject);
        Assert.True(current.HasPrivateKey);
        using var key = current.GetECDsaPrivateKey();
        Assert.NotNull(key);
    }

    [Fact]
    public void A_renewed_certificate_is_served_once_the_check_interval_has_passed()
    {
        Write("CN=first", stamp: 1);
        var certificate = new ReloadingCertificate(CertificatePath, KeyPath, _clock, NullLogger<ReloadingCertificate>.Instance);
        Assert.Equal("CN=first", certificate.Current.Subject);

        Write("CN=renewed", stamp: 2);
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal("CN=first", certificate.Current.Subject);

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("CN=renewed", certificate.Current.Subject);
    }

    [Fact]
    public void A_half_written_renewal_keeps_the_previous_certificate_until_it_is_complete()
    {
        Write("CN=first", stamp: 1);
        var certificate = new ReloadingCertificate(CertificatePath, KeyPath, _clock, NullLogger<ReloadingCertificate>.Instance);
        Assert.Equal("CN=first", certificate.Current.Subject);

        // The new certificate is in place, its key not yet: the pair does not match.
        using var renewed = SelfSigned("CN=renewed");
        File.WriteAllText(CertificatePath, renewed.ExportCertificatePem());
        File.SetLastWriteTimeUtc(CertificatePath, Stamp(2));
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("CN=first", certificate.Current.Subject);

        File.WriteAllText(KeyPath, renewed.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.SetLastWriteTimeUtc(KeyPath, Stamp(2));
        _clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("CN=renewed", certificate.Current.Subject);
    }

    [Fact]
    public void Files_missing_at_the_first_handshake_are_an_error_not_a_null_certificate()
    {
        var certificate = new ReloadingCertificate(CertificatePath, KeyPath, _clock, NullLogger<ReloadingCertificate>.Instance);

        Assert.Throws<FileNotFoundException>(() => certificate.Current);
    }

    private void Write(string subject, int stamp)
    {
        using var certificate = SelfSigned(subject);
        File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(KeyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());

        // Distinct modification times, whatever the filesystem's timestamp granularity.
        File.SetLastWriteTimeUtc(CertificatePath, Stamp(stamp));
        File.SetLastWriteTimeUtc(KeyPath, Stamp(stamp));
    }

    private static DateTime Stamp(int n) => new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(n);

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
