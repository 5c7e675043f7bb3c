using System.Net;
using System.Text.Json;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests;

/// <summary>A data directory on an 8 MiB tmpfs: a push that does not fit answers 507 and keeps nothing.</summary>
public sealed class FullDiskTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Blob_larger_than_the_disk_gets_507_and_leaves_nothing_behind()
    {
        using var disk = Tmpfs.Mount("8m");
        var repo = Oci.UniqueRepository("full");
        await using var server = await RegistryProcess.StartReadyAsync(disk.Path, log);
        using var client = server.CreateClient();

        var big = Oci.RandomBytes(20 * 1024 * 1024);
        using (var response = await client.PostBlobAsync(repo, big))
        {
            var body = await response.Content.ReadAsStringAsync();
            log.WriteLine($"20 MiB push on 8 MiB disk: {(int)response.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.InsufficientStorage, response.StatusCode);
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(body);
            var error = json.RootElement.GetProperty("errors")[0];
            Assert.False(string.IsNullOrEmpty(error.GetProperty("code").GetString()));
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        }

        using (var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/blobs/{Oci.Sha256(big)}"))
        using (var response = await client.SendAsync(head))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var staged = disk.FileBytes(Path.Combine("storage", "uploads"));
        log.WriteLine($"bytes staged under storage/uploads after the failure: {staged}");
        Assert.True(staged < 64 * 1024, $"storage/uploads still holds {staged} bytes of the failed push");
        var stored = disk.FileBytes("storage");
        Assert.True(stored < 1024 * 1024, $"storage/ still holds {stored} bytes after the failed push");

        var small = Oci.RandomBytes(256 * 1024);
        using (var response = await client.PostBlobAsync(repo, small))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(small, await client.GetByteArrayAsync($"/v2/{repo}/blobs/{Oci.Sha256(small)}"));
        Assert.False(server.HasExited, "the server died on a full disk");
    }
}
