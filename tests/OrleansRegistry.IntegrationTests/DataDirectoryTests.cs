using System.Net;
using OrleansRegistry.IntegrationTests.Infrastructure;

namespace OrleansRegistry.IntegrationTests;

public sealed class DataDirectoryTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Second_process_on_the_same_data_directory_is_refused_and_the_first_keeps_serving()
    {
        using var data = new TempDirectory();
        var repo = Oci.UniqueRepository("lock");
        await using var first = await RegistryProcess.StartReadyAsync(data.Path, log);
        using var client = first.CreateClient();
        var blob = Oci.RandomBytes(1000);
        using (var post = await client.PostBlobAsync(repo, blob))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        await using (var second = RegistryProcess.Start(data.Path, log))
        {
            var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, exitCode);
            var output = second.Output;
            Assert.Contains("data directory", output, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("in use", output, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(Path.GetFullPath(data.Path), output, StringComparison.Ordinal);
        }

        Assert.False(first.HasExited, "the first server died");
        using (var ping = await client.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        Assert.Equal(blob, await client.GetByteArrayAsync($"/v2/{repo}/blobs/{Oci.Sha256(blob)}"));
        using (var post = await client.PostBlobAsync(repo, Oci.RandomBytes(10)))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>
    /// An operator error, not a crash: one line naming the directory and exit code 1, rather than an
    /// unhandled exception (stack trace, SIGABRT exit 134 and possibly a core dump).
    /// </summary>
    [Fact]
    public async Task Refused_start_is_a_clean_error_not_an_unhandled_exception()
    {
        using var data = new TempDirectory();
        await using var first = await RegistryProcess.StartReadyAsync(data.Path, log);
        await using var second = RegistryProcess.Start(data.Path, log);
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var output = second.Output;
        Assert.Contains("in use", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task Startup_time_to_first_200_on_v2()
    {
        using var data = new TempDirectory();
        await using var server = RegistryProcess.Start(data.Path, log);
        var ready = await server.WaitReadyAsync(TimeSpan.FromSeconds(60));
        log.WriteLine($"start-up time (process start to first 200 on /v2/): {ready.TotalMilliseconds:F0} ms");
        Assert.True(ready < TimeSpan.FromSeconds(60));

        var stop = System.Diagnostics.Stopwatch.StartNew();
        var exitCode = await server.StopAsync(TimeSpan.FromSeconds(30));
        log.WriteLine($"graceful stop (SIGTERM to exit): {stop.ElapsedMilliseconds} ms, exit code {exitCode}");
        Assert.Equal(0, exitCode);
    }
}
