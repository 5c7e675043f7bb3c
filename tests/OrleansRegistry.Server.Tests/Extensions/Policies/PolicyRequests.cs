using System.Net;
using System.Net.Http.Json;
using OrleansRegistry.Server.Tests.Auth;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Extensions.Policies;

/// <summary>What the policy tests ask the server and check in its answers.</summary>
public static class PolicyRequests
{
    /// <summary>A client of the admin <c>root</c> with basic credentials (the admin API).</summary>
    public static HttpClient Root(this RegistryServer server)
    {
        var root = server.CreateClient();
        root.DefaultRequestHeaders.Authorization = AuthClient.Basic("root", "root-pass");
        return root;
    }

    public static async Task<string?> DigestOfAsync(this HttpClient client, string repo, string tag)
    {
        using var head = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repo}/manifests/{tag}");
        head.Headers.Accept.ParseAdd(OciClient.OciManifest);
        using var response = await client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Header("Docker-Content-Digest");
    }

    /// <summary>403 with an OCI error body of code DENIED whose message contains <paramref name="inMessage"/>.</summary>
    public static async Task AssertDeniedAsync(HttpResponseMessage response, string inMessage)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var json = await response.ReadJsonAsync();
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal("DENIED", error.GetProperty("code").GetString());
        Assert.Contains(inMessage, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A non-admin (<c>alice</c>) is 403 DENIED and an anonymous client 401 on PUT, GET and DELETE of an admin <paramref name="path"/>.</summary>
    public static async Task AssertAdminOnlyAsync(RegistryServer server, string path, object body)
    {
        using var alice = server.CreateClient();
        alice.DefaultRequestHeaders.Authorization = AuthClient.Basic("alice", "alice-pass");
        using var anonymous = server.CreateClient();
        foreach (var (client, status, code) in new[] { (alice, HttpStatusCode.Forbidden, "DENIED"), (anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED") })
        {
            using var put = await client.PutAsJsonAsync(path, body);
            Assert.Equal(status, put.StatusCode);
            Assert.Equal(code, await put.ErrorCodeAsync());
            using var get = await client.GetAsync(path);
            Assert.Equal(status, get.StatusCode);
            using var delete = await client.DeleteAsync(path);
            Assert.Equal(status, delete.StatusCode);
        }
    }

    /// <summary>A PUT of <paramref name="body"/> (raw, as JSON) to a rule's <paramref name="path"/> is 400 with an OCI error body of code UNSUPPORTED.</summary>
    public static async Task AssertPutIsBadRequestAsync(this HttpClient root, string path, string body)
    {
        using var put = await root.PutAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("UNSUPPORTED", await put.ErrorCodeAsync());
    }

    /// <summary>DELETE of a rule's <paramref name="path"/> is 204, then GET is 404 NAME_UNKNOWN.</summary>
    public static async Task DeleteRuleAsync(this HttpClient root, string path)
    {
        using (var deleted = await root.DeleteAsync(path))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await root.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await gone.ErrorCodeAsync());
    }
}
