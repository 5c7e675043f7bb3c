using System.Net;
using Microsoft.AspNetCore.Connections;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Hosting;

/// <summary>Kestrel's socket transport takes its memory pool from DI: large blocks by default, Kestrel's own with 0.</summary>
public sealed class TransportMemoryPoolTests
{
    [Theory]
    [InlineData(null, 64 * 1024)]
    [InlineData("16384", 16 * 1024)]
    [InlineData("0", 4096)]
    public async Task Kestrel_gets_blocks_of_the_configured_size_and_uploads_stream_through_them(string? blockBytes, int expected)
    {
        var settings = blockBytes is null ? new Dictionary<string, string>() : new() { ["Registry:TransportBlockBytes"] = blockBytes };
        var server = RegistryServer.With(settings);
        await server.InitializeAsync();
        try
        {
            await AssertBlockSizeAndRoundTripAsync(server, expected);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task AssertBlockSizeAndRoundTripAsync(RegistryServer server, int expected)
    {
        using (var pool = server.Services.GetRequiredService<IMemoryPoolFactory<byte>>().Create())
        {
            Assert.Equal(expected, pool.MaxBufferSize);
        }

        // A blob many blocks long goes in and comes out intact whatever the block size.
        using var client = server.CreateClient();
        var repo = OciClient.Unique("pool");
        var data = OciClient.RandomBytes(3 * 1024 * 1024 + 17);
        var digest = await client.PushBlobAsync(repo, data);
        using var response = await client.GetAsync($"/v2/{repo}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
    }
}
