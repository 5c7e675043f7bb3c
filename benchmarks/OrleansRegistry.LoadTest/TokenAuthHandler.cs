using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OrleansRegistry.LoadTest;

/// <summary>
/// Token auth as a client with a cached token does it: on the first request for a repository it
/// reads the challenge of <c>/v2/</c>, gets a token for <c>repository:NAME:pull,push</c> with Basic
/// credentials, and from then on sends <c>Authorization: Bearer</c> with every request for that
/// repository. A 401 on a bodiless request refreshes the token once and retries. The header value is
/// made once per token and added without validation: a new <c>AuthenticationHeaderValue</c> per
/// request, formatted again by HttpClient, made the generator itself the bottleneck with auth on.
/// </summary>
public sealed class TokenAuthHandler(string user, string password) : DelegatingHandler
{
    private static readonly string[] RepositoryEnds = ["/manifests/", "/blobs/", "/tags/"];
    private readonly ConcurrentDictionary<string, Task<string>> _bearers = new(StringComparer.Ordinal);
    private readonly string _basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
    private Task<(string Realm, string Service)>? _challenge;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var repository = Repository(request.RequestUri!);
        if (repository is null)
        {
            return await base.SendAsync(request, ct).ConfigureAwait(false);
        }

        request.Headers.TryAddWithoutValidation("Authorization", await BearerAsync(request.RequestUri!, repository, ct).ConfigureAwait(false));
        var response = await base.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || request.Content is { Headers.ContentLength: > 0 })
        {
            return response;
        }

        response.Dispose();
        _bearers.TryRemove(repository, out _);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", await BearerAsync(request.RequestUri!, repository, ct).ConfigureAwait(false));
        return await base.SendAsync(request, ct).ConfigureAwait(false);
    }

    /// <summary>The whole <c>Authorization</c> value, <c>Bearer &lt;token&gt;</c>, for the repository.</summary>
    private Task<string> BearerAsync(Uri uri, string repository, CancellationToken ct) =>
        _bearers.GetOrAdd(repository, r => FetchAsync(uri, r, ct));

    private async Task<string> FetchAsync(Uri uri, string repository, CancellationToken ct)
    {
        var (realm, service) = await (_challenge ??= ChallengeAsync(uri, ct)).ConfigureAwait(false);
        var scope = $"repository:{repository}:pull,push";
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{realm}?service={Uri.EscapeDataString(service)}&scope={Uri.EscapeDataString(scope)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _basic);
        using var response = await base.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"token for {scope}: {(int)response.StatusCode} {body}");
        }

        using var json = JsonDocument.Parse(body);
        return "Bearer " + json.RootElement.GetProperty("token").GetString();
    }

    private async Task<(string Realm, string Service)> ChallengeAsync(Uri uri, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(uri, "/v2/"));
        using var response = await base.SendAsync(request, ct).ConfigureAwait(false);
        var bearer = response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme == "Bearer")?.Parameter
            ?? throw new HttpRequestException($"GET /v2/: {(int)response.StatusCode} without a Bearer challenge (is token auth on?)");
        string Param(string name)
        {
            var at = bearer.IndexOf(name + "=\"", StringComparison.Ordinal);
            if (at < 0)
            {
                throw new HttpRequestException($"challenge without {name}: {bearer}");
            }

            var start = at + name.Length + 2;
            return bearer[start..bearer.IndexOf('"', start)];
        }

        return (Param("realm"), Param("service"));
    }

    /// <summary>The repository name of a <c>/v2/NAME/(manifests|blobs|tags)/...</c> path, or null.</summary>
    private static string? Repository(Uri uri)
    {
        var path = uri.AbsolutePath;
        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var marker in RepositoryEnds)
        {
            var at = path.LastIndexOf(marker, StringComparison.Ordinal);
            if (at > 4)
            {
                return path[4..at];
            }
        }

        return null;
    }
}
