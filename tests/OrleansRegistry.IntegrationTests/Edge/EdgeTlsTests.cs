using System.Diagnostics;
using System.Net;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests.Edge;

/// <summary>TLS terminates at the edge: a real client pushes and pulls over HTTPS, HTTP/2 is offered, and a renewed certificate is served without a restart.</summary>
public sealed class EdgeTlsTests(ITestOutputHelper log)
{
    private static readonly string Fixtures = Path.Combine(Environment.GetEnvironmentVariable("OCI_E2E_HOME") ?? "/tmp/oci-e2e", "fixtures");

    [Fact]
    public async Task Skopeo_pushes_and_pulls_over_https_through_the_edge_and_a_renewed_certificate_is_served()
    {
        using var data = new TempDirectory();
        using var certificates = new TestCertificates(System.IO.Directory.CreateDirectory(Path.Combine(data.Path, "certs")).FullName);
        var firstSerial = certificates.IssueServerCertificate();
        await using var silo = await RegistryProcess.StartReadyAsync(Path.Combine(data.Path, "silo"), log);
        await using var edge = RegistryProcess.StartEdge(silo, "https", log,
            $"--Edge:Tls:CertificatePath={certificates.CertificatePath}", $"--Edge:Tls:KeyPath={certificates.KeyPath}");

        string? servedSerial = null;
        using var client = certificates.CreateClient(edge.BaseAddress, c => servedSerial = c.SerialNumber);
        using (var ready = await Failover.UntilAsync(() => client.GetAsync("/v2/"), r => r.StatusCode == HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        Assert.Equal(firstSerial, servedSerial);
        using (var http2 = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact })
        using (var response = await client.SendAsync(http2))
        {
            Assert.Equal(HttpVersion.Version20, response.Version);
        }

        var target = $"docker://{edge.BaseAddress.Authority}/tls/app:v1";
        await Skopeo("copy", "--dest-cert-dir", certificates.CaDirectory, $"oci:{Fixtures}/oci-tiny:latest", target);
        var pulled = Path.Combine(data.Path, "pulled");
        await Skopeo("copy", "--src-cert-dir", certificates.CaDirectory, target, $"oci:{pulled}:v1");
        var expected = File.ReadAllLines(Path.Combine(Fixtures, "digests.env")).Single(l => l.StartsWith("TINY_DIGEST=", StringComparison.Ordinal))["TINY_DIGEST=".Length..];
        Assert.Contains(expected, await File.ReadAllTextAsync(Path.Combine(pulled, "index.json")));

        var secondSerial = certificates.IssueServerCertificate();
        var deadline = Stopwatch.StartNew();
        while (servedSerial != secondSerial && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(500);
            using var fresh = certificates.CreateClient(edge.BaseAddress, c => servedSerial = c.SerialNumber);
            using var _ = await fresh.GetAsync("/v2/");
        }

        Assert.Equal(secondSerial, servedSerial);
        log.WriteLine($"renewed certificate served {deadline.Elapsed.TotalSeconds:F1} s after it was written");
    }

    private async Task Skopeo(params string[] args)
    {
        var (exitCode, _) = await ExternalTool.RunAsync(log, "skopeo", new Dictionary<string, string>(), args);
        Assert.Equal(0, exitCode);
    }
}
