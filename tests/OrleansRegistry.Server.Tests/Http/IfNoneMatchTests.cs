using System.Net;
using Microsoft.AspNetCore.Http;
using OrleansRegistry.Server.Http;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Http;

public sealed class IfNoneMatchTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    private const string Tag = "\"sha256:abc\"";

    [Theory]
    [InlineData("\"sha256:abc\"", true)]
    [InlineData("W/\"sha256:abc\"", true)]
    [InlineData("\"other\", \"sha256:abc\"", true)]
    [InlineData("*", true)]
    [InlineData("\"sha256:abcd\"", false)]
    [InlineData("sha256:abc", false)]
    [InlineData("\"other\"", false)]
    public void Matches_the_quoted_tag_weakly_or_a_star(string header, bool matches)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.IfNoneMatch = header;
        Assert.Equal(matches, IfNoneMatch.Matches(context.Request, Tag));
    }

    [Fact]
    public void No_header_matches_nothing() =>
        Assert.False(IfNoneMatch.Matches(new DefaultHttpContext().Request, Tag));

    [Fact]
    public async Task Blobs_and_manifests_answer_304_by_the_same_rule()
    {
        using var client = server.CreateClient();
        var repo = OciClient.Unique("conditional");
        var (_, manifest) = await client.PushImageAsync(repo, "v1");
        var blob = await client.PushBlobAsync(repo, OciClient.RandomBytes(16));
        foreach (var (path, digest) in new[] { ($"/v2/{repo}/manifests/v1", manifest), ($"/v2/{repo}/blobs/{blob}", blob) })
        {
            foreach (var header in new[] { $"\"{digest}\"", $"W/\"{digest}\"", "*" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.TryAddWithoutValidation("If-None-Match", header);
                using var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            }

            using var other = new HttpRequestMessage(HttpMethod.Get, path);
            other.Headers.TryAddWithoutValidation("If-None-Match", "\"sha256:other\"");
            using var full = await client.SendAsync(other);
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        }
    }
}
