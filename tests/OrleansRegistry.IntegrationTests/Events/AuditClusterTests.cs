using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansRegistry.IntegrationTests.Cluster;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests.Events;

/// <summary>
/// The audit log of a real 2-silo cluster (Redis, Azurite) is one log: what silo 1 refused is read
/// through silo 2, from the append blobs both write to.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AuditClusterTests(ITestOutputHelper log)
{
    [Fact]
    public async Task A_push_refused_by_silo_1_is_in_the_audit_log_read_through_silo_2()
    {
        using var work = new TempDirectory();
        var config = Path.Combine(work.Path, "auth.json");
        await File.WriteAllTextAsync(config, """
            { "users": [ { "name": "root", "password": "root-pass", "admin": true } ],
              "namespaces": [ { "name": "team/*", "visibility": "private", "grants": {} } ] }
            """);
        var key = Path.Combine(work.Path, "signing-key.pem");
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(key, ec.ExportPkcs8PrivateKeyPem());
        }

        await using var cluster = await LocalCluster.StartAsync(2, 18000, log, environment: new Dictionary<string, string>
        {
            ["Registry__Auth__ConfigPath"] = config,
            ["Registry__Auth__SigningKeyPath"] = key,
        });
        var repository = $"team/audit-{Guid.NewGuid():N}";
        using var silo1 = cluster.Silo(1);
        using (var refused = await silo1.PostAsync($"/v2/{repository}/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var silo2 = cluster.Silo(2);
        silo2.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("root:root-pass")));
        JsonElement[] entries = [];
        // Silo 1 writes its entries a moment after the request, off the request's path.
        for (var attempt = 0; attempt < 50 && entries.Length == 0; attempt++)
        {
            await Task.Delay(200);
            using var audit = await silo2.GetAsync($"/api/v1/audit?repository={Uri.EscapeDataString(repository)}");
            Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
            entries = [.. JsonDocument.Parse(await audit.Content.ReadAsStringAsync()).RootElement.GetProperty("entries").EnumerateArray()];
        }

        var entry = Assert.Single(entries);
        Assert.Equal("denied", entry.GetProperty("decision").GetString());
        Assert.Equal("127.0.0.1", entry.GetProperty("address").GetString());
    }
}
